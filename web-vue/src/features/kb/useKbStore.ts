import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import * as api from '../../api/kb';
import { ApiError } from '../../api/http';
import type { Article, ArticleDetail } from '../../api/types';
import { newId } from '../../composables/ids';

export const useKbStore = defineStore('kb', () => {
  const query = ref('');
  const results = ref<Article[]>([]);
  const loaded = ref(false);
  const articles = reactive<Record<string, ArticleDetail | null>>({});
  let latest = 0;

  /** Searches; an answer to an older search never overwrites a newer one. */
  async function search(q: string = query.value): Promise<void> {
    query.value = q;
    const mine = ++latest;
    const answer = await api.listArticles(q);
    if (mine !== latest) return;
    results.value = answer.items;
    loaded.value = true;
  }

  async function loadArticle(articleId: string): Promise<ArticleDetail | null> {
    try {
      articles[articleId] = await api.getArticle(articleId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) articles[articleId] = null;
      else throw error;
    }
    return articles[articleId] ?? null;
  }

  async function publish(title: string, body: string): Promise<string> {
    const articleId = newId();
    await api.publishArticle({ articleId, title, body });
    return articleId;
  }

  async function update(articleId: string, title: string, body: string): Promise<void> {
    await api.updateArticle({ articleId, title, body });
    await loadArticle(articleId);
  }

  return { query, results, loaded, articles, search, loadArticle, publish, update };
});

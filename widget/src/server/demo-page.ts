import { escapeHtml } from './html';

/**
 * A fictional customer's help centre with the widget on it: what `npm start` shows at /demo.
 * Server-rendered, no framework; the only script is the widget's tag and a "Chat with us" button.
 */

interface Question {
  q: string;
  a: string;
}

interface Topic {
  slug: string;
  title: string;
  blurb: string;
  icon: string;
  questions: Question[];
}

const TOPICS: Topic[] = [
  {
    slug: 'account',
    title: 'Your account',
    blurb: 'Signing in, passwords, contact details and who can manage the account.',
    icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7 8a7 7 0 0 1 14 0',
    questions: [
      {
        q: 'How do I reset my password?',
        a: 'On the sign-in page choose "Forgot password", enter the email address on your account and follow the link we send you. The link works for 30 minutes.',
      },
      {
        q: 'How do I change the email address on my account?',
        a: 'Sign in, open Settings › Contact details and enter the new address. We send a confirmation link to the new address before the change takes effect.',
      },
      {
        q: 'Can someone else manage my account?',
        a: 'Yes. Under Settings › Account access you can invite a second account holder, who can view bills and make payments but not close the account.',
      },
    ],
  },
  {
    slug: 'billing',
    title: 'Bills & payments',
    blurb: 'Understanding your bill, Direct Debits, refunds and payment plans.',
    icon: 'M4 6h16v12H4z M4 10h16 M8 15h3',
    questions: [
      {
        q: 'Why has my Direct Debit changed?',
        a: 'We review Direct Debits every six months against what you actually used. If you are building up credit or debt, we adjust the amount so your balance stays close to zero.',
      },
      {
        q: 'How do I get a refund of my credit?',
        a: 'If your account is more than £5 in credit after your latest meter reading, request a refund under Billing › Balance. It reaches your bank within five working days.',
      },
      {
        q: 'I cannot pay my bill. What can I do?',
        a: 'Talk to us as early as you can: we can set up a payment plan, check you are on the best tariff and point you to grants you may be entitled to.',
      },
    ],
  },
  {
    slug: 'moving',
    title: 'Moving home',
    blurb: 'Taking your supply with you, final bills and setting up at a new address.',
    icon: 'M3 11l9-7 9 7 M5 10v10h14V10 M10 20v-6h4v6',
    questions: [
      {
        q: 'How much notice do you need when I move?',
        a: 'Tell us at least two days before you move. On moving day, take meter readings at both addresses and send them to us so your final and first bills are exact.',
      },
      {
        q: 'Can I keep my tariff at my new home?',
        a: 'Usually yes, as long as we supply your new area. Your unit rates may change slightly because prices differ between regions.',
      },
    ],
  },
  {
    slug: 'meters',
    title: 'Meters & readings',
    blurb: 'Sending readings, smart meter installs and what to do when a meter looks wrong.',
    icon: 'M12 20a8 8 0 1 1 0-16 8 8 0 0 1 0 16Z M12 12l3-3',
    questions: [
      {
        q: 'How do I send a meter reading?',
        a: 'Sign in and choose Meter readings, or use the app. Read the numbers from left to right and ignore anything after a decimal point or in red.',
      },
      {
        q: 'Can I get a smart meter?',
        a: 'Smart meters are free. Book an installation under Meters › Smart meter; the visit takes about two hours and the power is off for around 30 minutes.',
      },
    ],
  },
  {
    slug: 'outages',
    title: 'Power cuts',
    blurb: 'What to do in a power cut, and how to report a fault or a gas leak.',
    icon: 'M13 2L4 14h7l-1 8 9-12h-7z',
    questions: [
      {
        q: 'Who do I call in a power cut?',
        a: 'Call 105 from any phone, free. Your local network operator looks after the cables and will tell you when power is expected back.',
      },
      {
        q: 'I smell gas. What should I do?',
        a: 'Open doors and windows, do not use switches or flames, and call the National Gas Emergency line on 0800 111 999 straight away.',
      },
    ],
  },
];

export const demoTopics = TOPICS.map((t) => t.slug);

const icon = (d: string) =>
  `<svg viewBox="0 0 24 24" aria-hidden="true">${d
    .split(' M')
    .map((p, i) => `<path d="${i ? 'M' : ''}${p}"/>`)
    .join('')}</svg>`;

const questionList = (questions: Question[]) =>
  `<div class="faq">${questions
    .map((q) => `<details><summary>${escapeHtml(q.q)}</summary><p>${escapeHtml(q.a)}</p></details>`)
    .join('')}</div>`;

const STYLE = `
:root{--brand:#2563eb;--brand-dark:#1d4ed8;--ink:#0f172a;--muted:#475569;--line:#e2e8f0;--soft:#eff6ff;--page:#ffffff;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--ink:#e2e8f0;--muted:#94a3b8;--line:#1e293b;--soft:#0b1a36;--page:#0b1120}}
*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--page)}
a{color:var(--brand)}@media (prefers-color-scheme:dark){a{color:#93c5fd}}
.wrap{max-width:1080px;margin:0 auto;padding:0 24px}
.notice{background:#fef3c7;color:#78350f;padding:10px 24px;font-size:14px;text-align:center}
header.top{border-bottom:1px solid var(--line)}
header.top .wrap{display:flex;align-items:center;gap:28px;height:68px}
.logo{display:flex;align-items:center;gap:10px;font-weight:750;font-size:19px;letter-spacing:-.02em;color:var(--ink);text-decoration:none}
.logo span.mark{width:30px;height:30px;border-radius:9px;background:linear-gradient(135deg,#60a5fa,#2563eb);display:grid;place-items:center}
.logo svg{width:18px;height:18px;fill:none;stroke:#fff;stroke-width:2.4;stroke-linecap:round;stroke-linejoin:round}
nav.main{display:flex;gap:22px;flex:1}nav.main a{color:var(--muted);text-decoration:none;font-weight:550;font-size:15px}
nav.main a[aria-current]{color:var(--ink)}
.signin{border:1px solid var(--line);border-radius:999px;padding:7px 16px;text-decoration:none;color:var(--ink);font-weight:600;font-size:14px}
.hero{background:radial-gradient(circle at 20% 0,#dbeafe 0,transparent 55%),linear-gradient(180deg,var(--soft),var(--page));padding:56px 0 48px}
@media (prefers-color-scheme:dark){.hero{background:linear-gradient(180deg,var(--soft),var(--page))}}
.hero h1{font-size:clamp(30px,5vw,44px);line-height:1.1;letter-spacing:-.03em;margin:0 0 10px}
.hero p{color:var(--muted);margin:0 0 26px;font-size:18px}
form.search{display:flex;max-width:560px;background:var(--page);border:1px solid var(--line);border-radius:14px;padding:6px;box-shadow:0 8px 30px rgba(15,23,42,.08)}
form.search input{flex:1;border:0;background:transparent;font:inherit;padding:10px 12px;color:inherit;min-width:0}
form.search input:focus{outline:none}form.search:focus-within{outline:2px solid var(--brand)}
form.search button{border:0;border-radius:10px;background:var(--brand);color:#fff;font:inherit;font-weight:650;padding:0 20px;cursor:pointer}
h2{font-size:22px;letter-spacing:-.01em;margin:0 0 16px}
section{padding:40px 0 8px}
.topics{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:16px}
.topic{display:block;border:1px solid var(--line);border-radius:14px;padding:18px;text-decoration:none;color:inherit;transition:border-color .15s,box-shadow .15s}
.topic:hover{border-color:#93c5fd;box-shadow:0 6px 24px rgba(37,99,235,.12)}
.topic svg{width:36px;height:36px;padding:7px;border-radius:10px;background:var(--soft);fill:none;stroke:var(--brand);stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
@media (prefers-color-scheme:dark){.topic svg{stroke:#93c5fd}}
.topic h3{margin:12px 0 4px;font-size:17px}.topic p{margin:0;color:var(--muted);font-size:14.5px}
.faq{border-top:1px solid var(--line)}
details{border-bottom:1px solid var(--line);padding:14px 4px}
summary{cursor:pointer;font-weight:600}
details p{margin:10px 0 2px;color:var(--muted)}
.contact{margin:44px 0 56px;border-radius:18px;background:linear-gradient(120deg,#2563eb,#1e40af);color:#eff6ff;padding:28px;display:flex;flex-wrap:wrap;gap:18px;align-items:center;justify-content:space-between}
.contact h2{margin:0 0 4px;color:#fff}.contact p{margin:0;opacity:.9}
.contact button{border:0;border-radius:999px;background:#fff;color:#1d4ed8;font:inherit;font-weight:700;padding:12px 22px;cursor:pointer}
.crumbs{font-size:14px;color:var(--muted);padding-top:28px}.crumbs a{color:var(--muted)}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:14px;padding:28px 0 96px}
footer .wrap{display:flex;flex-wrap:wrap;gap:12px 28px;justify-content:space-between}footer a{color:var(--muted);text-decoration:none;margin-right:18px}
@media (max-width:640px){nav.main{display:none}header.top .wrap{justify-content:space-between}.hero{padding:36px 0 32px}}
`;

export interface DemoPageInput {
  scriptSrc: string;
  /** null: the help centre's home; a topic slug; '?' for an unknown topic (404). */
  topic: string | null;
  configured: boolean;
  allowed: boolean;
  pageOrigin: string;
  /** Search text from the home page's search box. */
  query: string | null;
}

function results(query: string): string {
  const words = query
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 2);
  const hits = TOPICS.flatMap((t) => t.questions).filter((q) => {
    const text = `${q.q} ${q.a}`.toLowerCase();
    return words.length > 0 && words.every((w) => text.includes(w));
  });
  return `<section aria-labelledby="results"><h2 id="results">Results for “${escapeHtml(query)}”</h2>${
    hits.length
      ? questionList(hits)
      : '<p>No answers match your search. Try other words, or chat with our team below.</p>'
  }</section>`;
}

/** The demo page's HTML, or null for an unknown topic. */
export function demoPage(input: DemoPageInput): string | null {
  const topic = input.topic === null ? null : TOPICS.find((t) => t.slug === input.topic);
  if (topic === undefined) return null;

  const notice = !input.configured
    ? `<p class="notice">Demo note: no widget key <code>demo</code> is configured (WIDGET_SITES), so the chat button will not appear.</p>`
    : !input.allowed
      ? `<p class="notice">Demo note: widget key <code>demo</code> does not allow ${escapeHtml(input.pageOrigin)}, so the chat button will not appear. Add this origin to its origins in WIDGET_SITES.</p>`
      : '';

  const body = topic
    ? `<div class="wrap"><p class="crumbs"><a href="/demo">Help centre</a> › ${escapeHtml(topic.title)}</p>
<section><h1>${escapeHtml(topic.title)}</h1><p>${escapeHtml(topic.blurb)}</p>${questionList(topic.questions)}</section>`
    : `<div class="hero"><div class="wrap"><h1>How can we help?</h1>
<p>Answers about your account, bills, meters and moving home.</p>
<form class="search" role="search" action="/demo">
<input id="q" name="q" aria-label="Search the help centre" value="${escapeHtml(input.query ?? '')}" placeholder="Search, e.g. “reset my password”" autocomplete="off"><button type="submit">Search</button></form></div></div>
<div class="wrap">${input.query ? results(input.query) : ''}<section aria-labelledby="topics"><h2 id="topics">Browse by topic</h2><div class="topics">
${TOPICS.map((t) => `<a class="topic" href="/demo/${t.slug}">${icon(t.icon)}<h3>${escapeHtml(t.title)}</h3><p>${escapeHtml(t.blurb)}</p></a>`).join('\n')}
</div></section>
<section aria-labelledby="popular"><h2 id="popular">Popular questions</h2>${questionList(TOPICS.map((t) => t.questions[0]).filter((q): q is Question => !!q))}</section>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${topic ? `${escapeHtml(topic.title)} · ` : ''}Help centre · Fernhill Energy</title>
<meta name="description" content="Fernhill Energy help centre: answers about your account, bills, meters and moving home.">
<style>${STYLE}</style></head>
<body>${notice}
<header class="top"><div class="wrap"><a class="logo" href="/demo"><span class="mark">${icon('M13 2L4 14h7l-1 8 9-12h-7z')}</span>Fernhill Energy</a>
<nav class="main" aria-label="Main"><a href="/demo">Home</a><a href="/demo">Tariffs</a><a href="/demo">Smart meters</a><a href="/demo" aria-current="page">Help</a></nav>
<a class="signin" href="/demo/account">Sign in</a></div></header>
<main>${body}
<div class="contact"><div><h2>Still need help?</h2><p>Chat with our team: weekdays 8am to 8pm, Saturdays 9am to 1pm.</p></div>
<button type="button" id="chat-now">Chat with us</button></div></div></main>
<footer><div class="wrap"><nav aria-label="Footer"><a href="/demo">Contact</a><a href="/demo">Accessibility</a><a href="/demo">Privacy</a><a href="/demo">Complaints</a></nav>
<span>© 2026 Fernhill Energy Ltd. A fictional company for this demo.</span></div></footer>
<script>document.getElementById('chat-now').addEventListener('click',function(){window.PortalChat&&window.PortalChat.open()})</script>
<script src="${escapeHtml(input.scriptSrc)}" data-widget-key="demo" async></script>
</body></html>`;
}

import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import * as api from '../../api/tickets';
import { ApiError } from '../../api/http';
import type { Ticket, TicketDetail } from '../../api/types';
import { newId } from '../../composables/ids';

export const useHelpdeskStore = defineStore('helpdesk', () => {
  const tickets = ref<Ticket[]>([]);
  const loaded = ref(false);
  const details = reactive<Record<string, TicketDetail | null>>({});

  async function loadTickets(): Promise<void> {
    tickets.value = (await api.listTickets()).items;
    loaded.value = true;
  }

  /** Loads one ticket; null when it does not exist. */
  async function loadTicket(ticketId: string): Promise<void> {
    try {
      details[ticketId] = await api.getTicket(ticketId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) details[ticketId] = null;
      else throw error;
    }
  }

  async function createTicket(input: { subject: string; requesterName?: string; requesterEmail?: string }) {
    const ticketId = newId();
    await api.createTicket({ ticketId, ...input });
    await loadTickets();
    return ticketId;
  }

  async function setStatus(ticketId: string, status: api.TicketStatus): Promise<void> {
    await api.changeTicketStatus({ ticketId, status });
    await loadTicket(ticketId);
  }

  /** Adds a comment; the client-chosen id makes a retry safe. */
  async function comment(ticketId: string, body: string, commentId: string = newId()): Promise<void> {
    await api.addTicketComment({ ticketId, commentId, body });
    await loadTicket(ticketId);
  }

  return { tickets, loaded, details, loadTickets, loadTicket, createTicket, setStatus, comment };
});

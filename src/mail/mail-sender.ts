/**
 * Sends mail off the request path: a request only queues a message (bounded: a full queue drops
 * it, counted and logged), and a few workers deliver through the realm's SMTP server with
 * retries after a pause. An SMTP server that is down or slow therefore never holds up a login
 * or an admin call; its failures show in `holdfast_mail_*` metrics and error log lines (never
 * with the message body, which carries single-use links). `sendNow` is for the admin test.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SmtpConfig } from './smtp-settings.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailSenderOptions {
  log: FastifyBaseLogger;
  registry: Registry;
  maxQueued?: number;
  workers?: number;
  /** Pauses before the second, third, … attempt; their count bounds the attempts. */
  retryDelaysMs?: number[];
  /** Per connection step (connect, greeting) and per socket silence. */
  timeoutMs?: number;
}

interface Job {
  realm: string;
  smtp: SmtpConfig;
  message: MailMessage;
  attempt: number;
}

export class MailSender {
  private readonly queue: Job[] = [];
  private readonly maxQueued: number;
  private readonly workers: number;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;
  private busy = 0;
  private readonly waiting = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly sent: Counter<'realm'>;
  private readonly failed: Counter<'realm' | 'reason'>;
  private readonly idle: Array<() => void> = [];

  constructor(private readonly options: MailSenderOptions) {
    this.maxQueued = options.maxQueued ?? 1000;
    this.workers = options.workers ?? 2;
    this.retryDelaysMs = options.retryDelaysMs ?? [5_000, 30_000, 120_000];
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const registers = [options.registry];
    this.sent = new Counter({ name: 'holdfast_mail_sent_total', help: 'Mails accepted by the SMTP server', labelNames: ['realm'], registers });
    this.failed = new Counter({ name: 'holdfast_mail_failed_total', help: 'Mails given up: attempts exhausted, or queue full', labelNames: ['realm', 'reason'], registers });
    const sender = this;
    new Gauge({
      name: 'holdfast_mail_queued',
      help: 'Mails waiting to be sent or retried',
      registers,
      collect() {
        this.set(sender.pending);
      },
    });
  }

  /** Mails queued, being sent or waiting for a retry. */
  get pending(): number {
    return this.queue.length + this.busy + this.waiting.size;
  }

  /** Queues a mail; false when it was dropped (queue full, or shutting down). Never waits for SMTP. */
  send(realm: string, smtp: SmtpConfig, message: MailMessage): boolean {
    if (this.closed || this.pending >= this.maxQueued) {
      this.failed.inc({ realm, reason: 'queue_full' });
      this.options.log.error({ realm }, 'mail dropped: the mail queue is full');
      return false;
    }
    this.queue.push({ realm, smtp, message, attempt: 1 });
    this.pump();
    return true;
  }

  /** Sends at once and throws what the SMTP server or the connection said (admin test). */
  async sendNow(smtp: SmtpConfig, message: MailMessage): Promise<void> {
    await this.deliver(smtp, message);
  }

  /** Resolves when nothing is queued, being sent or waiting for a retry (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops taking mail; what is being sent finishes, retries still waiting are given up and counted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.waiting) clearTimeout(timer);
    for (const _ of this.waiting) this.failed.inc({ realm: 'unknown', reason: 'shutdown' });
    this.waiting.clear();
    await this.whenIdle();
  }

  private pump(): void {
    while (this.busy < this.workers && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.busy += 1;
      void this.attempt(job).finally(() => {
        this.busy -= 1;
        this.pump();
        if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async attempt(job: Job): Promise<void> {
    try {
      await this.deliver(job.smtp, job.message);
      this.sent.inc({ realm: job.realm });
    } catch (error) {
      const reason = (error as { code?: string }).code ?? 'error';
      const delay = this.retryDelaysMs[job.attempt - 1];
      const retrying = delay !== undefined && !this.closed;
      this.options.log.error({ realm: job.realm, host: job.smtp.host, port: job.smtp.port, attempt: job.attempt, reason, err: error, retrying }, 'sending mail failed');
      if (!retrying) {
        this.failed.inc({ realm: job.realm, reason });
        return;
      }
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        this.queue.push({ ...job, attempt: job.attempt + 1 });
        this.pump();
      }, delay);
      timer.unref();
      this.waiting.add(timer);
    }
  }

  private async deliver(smtp: SmtpConfig, message: MailMessage): Promise<void> {
    // Loaded with the first message: a realm without mail never needs nodemailer in memory.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.ssl,
      requireTLS: smtp.starttls,
      ignoreTLS: !smtp.ssl && !smtp.starttls,
      auth: smtp.auth,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs * 2,
    });
    try {
      await transport.sendMail({
        from: smtp.fromDisplayName ? { name: smtp.fromDisplayName, address: smtp.from } : smtp.from,
        replyTo: smtp.replyTo ? (smtp.replyToDisplayName ? { name: smtp.replyToDisplayName, address: smtp.replyTo } : smtp.replyTo) : undefined,
        envelope: smtp.envelopeFrom ? { from: smtp.envelopeFrom, to: message.to } : undefined,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    } finally {
      transport.close();
    }
  }
}

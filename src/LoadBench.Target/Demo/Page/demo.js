// LoadBench live demo: four real browser clients of one feed, side by side.
//
// Every panel keeps its own cursor (the last seq it received) and resumes from it after any failure, so no
// event is ever missed or counted twice. Each also sends the feed's epoch it knows: when the feed restarts,
// the target says "reset" (409, `event: reset`, close 4409) and the panel starts again from the new feed's
// first event with the new epoch — shown as a reset, never as missed events. The numbers each panel shows are also written into data-* attributes
// of its <section> (data-received, data-last-seq, data-missed, …) so that tests and curious students can read
// them without scraping text.
'use strict';

(() => {
  const LATENCY_WINDOW = 1000;       // p50/p99 over each panel's last 1,000 events (the page says so)
  const RATE_WINDOW_MS = 3000;       // events/s over the arrivals of the last 3 s (3 poll intervals when longer)
  const STATS_WINDOW_MS = 5000;      // bytes per event over the last 5 s of the target's /stats
  const STATS_EVERY_MS = 1000;       // /stats and /feed/info are read about once a second
  const RENDER_EVERY_MS = 250;       // the DOM is refreshed 4 times a second, not once per event
  const LONG_POLL_TIMEOUT_MS = 20000;
  const POLL_MAX = 1000;             // the target's default and our batch size: a full batch means "poll again now"
  const BACKOFF_FIRST_MS = 250;
  const BACKOFF_MAX_MS = 4000;
  const TRANSPORTS = ['poll', 'longpoll', 'sse', 'ws'];

  const byId = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

  let pollIntervalMs = 1000;

  /** One transport's client state and the numbers its panel shows. */
  class Panel {
    constructor(id, startSeq, epoch) {
      this.id = id;
      this.section = byId(`panel-${id}`);
      this.epoch = epoch;              // the feed's epoch the cursor belongs to (null from an older target)
      this.resets = 0;                 // times the target said the feed restarted
      this.receivedInEpoch = 0;        // events received since the last reset (or the start)
      this.cursor = startSeq;          // last seq received: every request and reconnect resumes after it
      this.fromOldest = false;         // the cursor fell out of retention: resume with after=0 (gap is counted)
      this.received = 0;
      this.lastSeq = null;
      this.missed = 0;                 // seq gaps: must stay 0, drops included
      this.outOfOrder = 0;             // duplicates or reorders (seq not above the cursor): never counted as received
      this.latencies = new Float64Array(LATENCY_WINDOW);
      this.latencyCount = 0;
      this.latencyNow = null;
      this.requests = 0;               // requests this page made for this transport
      this.reconnects = 0;             // times the client lost its connection or request and had to start again
      this.state = 'connecting';
      this.detail = '';
      this.backoffMs = 0;
      this.arrivals = [];              // {t, received} after each batch that brought events: for events/s
      this.roles = {};
      const template = byId('metrics-template').content.cloneNode(true);
      for (const element of template.querySelectorAll('[data-role]')) {
        this.roles[element.dataset.role] = element;
      }
      this.section.querySelector('.metrics').append(template);
    }

    /** The `after` to send: the cursor, or 0 ("from the oldest retained") once the cursor was reported gone. */
    after() {
      return this.fromOldest ? 0 : this.cursor;
    }

    /** The query every request and reconnect sends: the cursor and, when known, its epoch. */
    query() {
      return `after=${this.after()}` + (this.epoch ? `&epoch=${encodeURIComponent(this.epoch)}` : '');
    }

    /**
     * The feed restarted: the cursor means nothing in the new feed. Start again from its first event, with its
     * epoch. Nothing is counted as missed: the old feed's events were not dropped, that feed is gone.
     */
    reset(epoch, detail) {
      this.epoch = epoch || null;
      this.cursor = 0;
      this.fromOldest = false;
      this.lastSeq = null;
      this.receivedInEpoch = 0;
      this.resets++;
      this.state = 'reset';
      this.detail = detail;
      this.backoffMs = 0;
    }

    accept(event) {
      const seq = event.seq;
      if (!Number.isSafeInteger(seq) || seq <= this.cursor) {
        this.outOfOrder++;
        return;
      }

      if (seq > this.cursor + 1) {
        this.missed += seq - this.cursor - 1;
      }

      this.cursor = seq;
      this.fromOldest = false;
      this.lastSeq = seq;
      this.received++;
      this.receivedInEpoch++;
      // ts is the publish time in Unix microseconds. Date.now() has whole milliseconds, so an event received
      // in the millisecond it was published can come out up to 1 ms negative: that is clock resolution, not
      // time travel, and is shown as 0.
      const latencyMs = Math.max(0, (Date.now() * 1000 - event.ts) / 1000);
      this.latencyNow = latencyMs;
      this.latencies[this.latencyCount % LATENCY_WINDOW] = latencyMs;
      this.latencyCount++;
    }

    connected() {
      this.state = 'connected';
      this.detail = '';
      this.backoffMs = 0;
    }

    failed(detail) {
      if (this.state === 'connected') {
        this.reconnects++;
      }

      this.state = 'reconnecting';
      this.detail = detail;
    }

    error(detail) {
      this.state = 'error';
      this.detail = detail;
    }

    /** Waits before the next attempt: 250 ms, doubling to 4 s, back to 250 ms after a success. */
    nextBackoff() {
      this.backoffMs = this.backoffMs === 0 ? BACKOFF_FIRST_MS : Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
      return this.backoffMs;
    }

    percentile(p) {
      const count = Math.min(this.latencyCount, LATENCY_WINDOW);
      if (count === 0) {
        return null;
      }

      const sorted = this.latencies.slice(0, count).sort();
      return sorted[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)];
    }

    /** Call after a batch (a poll's answer, one SSE or WebSocket message) was accepted. */
    arrived() {
      const last = this.arrivals.at(-1);
      if (!last || last.received !== this.received) {
        this.arrivals.push({ t: performance.now(), received: this.received });
      }
    }

    /**
     * Events/s from an anchor (the last arrival before the window, if not much older) to the latest arrival.
     * Measured between arrivals, not from the window's edge: polling's bursts (20 events once a second) read
     * 20/s instead of swinging with where the window cuts, and the catch-up burst after a reconnect is spread
     * over the silence before it instead of reading as hundreds per second. No arrival in the window: 0.
     */
    receivedPerSecond(now, windowMs) {
      while (this.arrivals.length > 1 && (this.arrivals[1].t < now - windowMs || this.arrivals[0].t < now - 2 * windowMs)) {
        this.arrivals.shift();
      }

      const anchor = this.arrivals[0];
      const last = this.arrivals.at(-1);
      if (this.arrivals.length < 2 || now - last.t > windowMs || last.t <= anchor.t) {
        return 0;
      }

      return (last.received - anchor.received) / ((last.t - anchor.t) / 1000);
    }
  }

  // ---- The four clients ------------------------------------------------------------------------------------

  /** Poll and long-poll: one fetch; the events are handed to the panel. Returns the count, or -1 on failure. */
  async function fetchEvents(panel, url, timeoutMs) {
    panel.requests++;
    try {
      const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 204) {
        panel.connected();
        return 0;
      }

      if (response.status === 409) {
        // The feed restarted: the problem names the new epoch (see Contracts/FeedReset.cs).
        const problem = await response.json().catch(() => ({}));
        panel.reset(problem.epoch, `the feed restarted (epoch ${problem.epoch ?? '?'}): starting again from its first event`);
        return 0;
      }

      if (response.status === 410) {
        // The cursor is older than the feed's retention: say so and read on from the oldest retained event.
        // The gap then shows in "missed", as it must.
        panel.fromOldest = true;
        panel.failed('events gone: resuming from the oldest retained');
        return -1;
      }

      if (!response.ok) {
        panel.error(await problemText(response));
        return -1;
      }

      const events = await response.json();
      panel.connected();
      for (const event of events) {
        panel.accept(event);
      }

      panel.arrived();

      return events.length;
    } catch (e) {
      panel.failed(e.name === 'TimeoutError' ? 'request timed out' : 'connection lost');
      return -1;
    }
  }

  async function runPolling(panel) {
    for (;;) {
      const started = performance.now();
      const resets = panel.resets;
      const count = await fetchEvents(panel, `/feed/poll?${panel.query()}&max=${POLL_MAX}`, 10000);
      if (count === POLL_MAX || panel.resets !== resets) {
        continue; // a full batch (more events are already waiting), or a reset: read the new feed now
      }

      // The interval is from the start of one poll to the start of the next; polls never overlap.
      const wait = count < 0 ? panel.nextBackoff() : Math.max(0, pollIntervalMs - (performance.now() - started));
      await sleep(wait);
    }
  }

  async function runLongPolling(panel) {
    for (;;) {
      const count = await fetchEvents(panel,
        `/feed/long-poll?${panel.query()}&timeout=${LONG_POLL_TIMEOUT_MS}&max=${POLL_MAX}`,
        LONG_POLL_TIMEOUT_MS + 10000);
      if (count < 0) {
        await sleep(panel.nextBackoff());
      }
    }
  }

  // EventSource reconnects by itself after a network failure (Chromium waits about 3 s; the target sends no
  // `retry:` field) and sends Last-Event-ID, which the target prefers to ?after=. We let it: that is the lesson.
  // Only when the browser gives up for good (an HTTP error answer) or the target says the cursor is gone do we
  // open a new EventSource ourselves, from the cursor.
  function runSse(panel) {
    let source = null;
    const open = () => {
      panel.requests++;
      source = new EventSource(`/feed/sse?${panel.query()}`);
      source.onopen = () => panel.connected();
      source.onmessage = (message) => {
        panel.accept(JSON.parse(message.data));
        panel.arrived();
      };
      source.addEventListener('reset', (message) => {
        // Closed before the stream's end is seen, or the browser would reconnect to the old feed by itself.
        source.close();
        const reset = JSON.parse(message.data);
        panel.reset(reset.epoch, `the feed restarted (epoch ${reset.epoch}): starting again from its first event`);
        setTimeout(open, 0);
      });
      source.addEventListener('gone', () => {
        source.close();
        panel.fromOldest = true;
        panel.failed('events gone: resuming from the oldest retained');
        setTimeout(open, 0);
      });
      source.onerror = () => {
        if (source.readyState === EventSource.CONNECTING) {
          panel.requests++; // the browser's own retry
          panel.failed('dropped: the browser reconnects by itself (~3 s)');
          return;
        }

        source.close();
        panel.failed('the browser gave up: reconnecting from the last seq');
        setTimeout(open, panel.nextBackoff());
      };
    };
    open();
  }

  function runWebSocket(panel) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const open = () => {
      panel.requests++;
      const socket = new WebSocket(`${scheme}://${location.host}/feed/ws?${panel.query()}`);
      socket.onopen = () => panel.connected();
      socket.onmessage = (message) => {
        panel.accept(JSON.parse(message.data));
        panel.arrived();
      };
      socket.onclose = (close) => {
        // 4409: the feed restarted; the reason is "reset epoch=<the new epoch>" (see Contracts/FeedReset.cs).
        if (close.code === 4409) {
          const epoch = close.reason.startsWith('reset epoch=') ? close.reason.slice('reset epoch='.length) : null;
          panel.reset(epoch, `the feed restarted (epoch ${epoch ?? '?'}): starting again from its first event`);
          setTimeout(open, 0);
          return;
        }

        // 4410: the target says the cursor is older than its retention (see Contracts/FeedGone.cs).
        const gone = close.code === 4410;
        if (gone) {
          panel.fromOldest = true;
        }

        panel.failed(gone ? 'events gone: resuming from the oldest retained' : `closed (${close.code}): reconnecting from the last seq`);
        setTimeout(open, gone ? 0 : panel.nextBackoff());
      };
    };
    open();
  }

  // ---- The target's own numbers ----------------------------------------------------------------------------

  const statsHistory = [];
  let latestInfo = null;

  async function readTargetForever() {
    for (;;) {
      try {
        const [stats, info] = await Promise.all([getJson('/stats'), getJson('/feed/info')]);
        statsHistory.push({ t: performance.now(), transports: stats.transports });
        while (statsHistory.length > 2 && statsHistory.at(-1).t - statsHistory[1].t >= STATS_WINDOW_MS) {
          statsHistory.shift();
        }

        showInfo(info);
      } catch {
        // The target is away; the panels say so themselves. Try again next second.
      }

      await sleep(STATS_EVERY_MS);
    }
  }

  /** Bytes per event of one transport over the stats window: each part's delta over the delta of events sent. */
  function bytesPerEvent(id) {
    if (statsHistory.length < 2) {
      return null;
    }

    const first = statsHistory[0].transports[id];
    const last = statsHistory.at(-1).transports[id];
    const seconds = (statsHistory.at(-1).t - statsHistory[0].t) / 1000;
    const events = last.eventsSent - first.eventsSent;
    const wire = (last.bytesRead + last.bytesWritten) - (first.bytesRead + first.bytesWritten);
    return {
      events,
      wirePerSecond: seconds > 0 ? wire / seconds : 0,
      payload: events > 0 ? (last.payloadBytes - first.payloadBytes) / events : null,
      framing: events > 0 ? (last.framingBytes - first.framingBytes) / events : null,
      headers: events > 0 ? (last.headerBytes - first.headerBytes) / events : null,
      requests: last.requests,
      open: last.openConnections,
    };
  }

  // ---- Showing it -------------------------------------------------------------------------------------------

  function render(panels) {
    const now = performance.now();
    showLatestSeq(panels);
    for (const panel of panels) {
      const windowMs = panel.id === 'poll' ? Math.max(RATE_WINDOW_MS, 3 * pollIntervalMs) : RATE_WINDOW_MS;
      const rate = panel.receivedPerSecond(now, windowMs);
      const p50 = panel.percentile(50);
      const p99 = panel.percentile(99);
      const bytes = bytesPerEvent(panel.id);
      const r = panel.roles;

      r.state.textContent = panel.detail ? `${panel.state}: ${panel.detail}` : panel.state;
      r.received.textContent = integer.format(panel.received);
      r.rate.textContent = oneDecimal.format(rate);
      r['last-seq'].textContent = panel.lastSeq === null ? '–' : integer.format(panel.lastSeq);
      r.missed.textContent = integer.format(panel.missed);
      r.missed.className = panel.missed === 0 ? 'good' : 'bad';
      r['latency-now'].textContent = milliseconds(panel.latencyNow);
      r['latency-p50'].textContent = milliseconds(p50);
      r['latency-p99'].textContent = milliseconds(p99);
      r.requests.textContent = integer.format(panel.requests);
      r.reconnects.textContent = integer.format(panel.reconnects);
      r.resets.textContent = integer.format(panel.resets);
      r['target-requests'].textContent = bytes ? integer.format(bytes.requests) : '–';
      showBytes(r, bytes);

      const data = panel.section.dataset;
      data.state = panel.state;
      data.received = panel.received;
      data.lastSeq = panel.lastSeq ?? '';
      data.missed = panel.missed;
      data.outOfOrder = panel.outOfOrder;
      data.rate = rate.toFixed(2);
      data.latencyNowMs = panel.latencyNow ?? '';
      data.latencyP50Ms = p50 ?? '';
      data.latencyP99Ms = p99 ?? '';
      data.requests = panel.requests;
      data.reconnects = panel.reconnects;
      data.resets = panel.resets;
      data.receivedInEpoch = panel.receivedInEpoch;
      data.epoch = panel.epoch ?? '';
      data.targetRequests = bytes ? bytes.requests : '';
      data.bytesPayload = bytes?.payload ?? '';
      data.bytesFraming = bytes?.framing ?? '';
      data.bytesHeaders = bytes?.headers ?? '';
    }
  }

  /**
   * The feed's latest seq as best known: /feed/info is read once a second, the panels hear of events sooner.
   * Both are lower bounds, so the higher one is shown (otherwise the header would lag the panels below it).
   */
  function showLatestSeq(panels) {
    const heard = Math.max(latestInfo ? latestInfo.latestSeq : 0, ...panels.map((p) => p.lastSeq ?? 0));
    byId('feed-latest').textContent = integer.format(heard);
  }

  function showBytes(r, bytes) {
    if (!bytes || bytes.events === 0) {
      for (const part of ['payload', 'framing', 'headers']) {
        r[`bytes-${part}`].textContent = '–';
        r[`bar-${part}`].style.width = '0';
      }

      r['wire-rate'].textContent = bytes
        ? `No events in the last 5 s; the wire still carried ${integer.format(bytes.wirePerSecond)} B/s.`
        : '';
      return;
    }

    const total = bytes.payload + bytes.framing + bytes.headers;
    for (const part of ['payload', 'framing', 'headers']) {
      r[`bytes-${part}`].textContent = integer.format(bytes[part]);
      r[`bar-${part}`].style.width = `${total > 0 ? Math.max(0, (100 * bytes[part]) / total) : 0}%`;
    }

    r['wire-rate'].textContent = `${integer.format(total)} B per event in all, ${integer.format(bytes.wirePerSecond)} B/s on the wire.`;
  }

  function milliseconds(value) {
    if (value === null || value === undefined) {
      return '–';
    }

    if (value >= 1000) {
      return `${(value / 1000).toFixed(2)} s`;
    }

    return value < 10 ? `${oneDecimal.format(value)} ms` : `${integer.format(value)} ms`;
  }

  // ---- Controls ---------------------------------------------------------------------------------------------

  let rateBeforePause = null;

  function showInfo(info) {
    latestInfo = info;
    byId('feed-rate').textContent = info.ratePerSecond === 0 ? 'paused' : `${oneDecimal.format(info.ratePerSecond)} events/s`;
    byId('feed-payload').textContent = `${integer.format(info.payloadBytes)} bytes`;
    byId('feed-epoch').textContent = info.epoch ?? '–';
    document.body.dataset.feedRate = info.ratePerSecond;
    const pause = byId('pause');
    const paused = info.ratePerSecond === 0;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
  }

  function say(text, isError = false) {
    const status = byId('status');
    status.textContent = text;
    status.classList.toggle('error', isError);
  }

  async function putSettings(settings) {
    const response = await controlFetch('/feed/settings', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(settings),
    });
    if (!response.ok) {
      throw new Error(await problemText(response));
    }

    const info = await response.json();
    showInfo(info);
    return info;
  }

  function wireControls(panels) {
    const form = byId('controls');
    const rate = byId('rate');
    const payload = byId('payload');
    const interval = byId('poll-interval');

    form.addEventListener('submit', async (submit) => {
      submit.preventDefault();
      for (const input of [rate, payload, interval]) {
        if (!input.checkValidity()) {
          say(`${input.labels[0].textContent.trim()}: ${input.validationMessage}`, true);
          input.focus();
          return;
        }
      }

      pollIntervalMs = Number(interval.value);
      for (const element of document.querySelectorAll('[data-role="interval"]')) {
        element.textContent = integer.format(pollIntervalMs);
      }

      try {
        const info = await putSettings({ ratePerSecond: Number(rate.value), payloadBytes: Number(payload.value) });
        say(`Feed at ${oneDecimal.format(info.ratePerSecond)} events/s with ${integer.format(info.payloadBytes)}-byte payloads; polling every ${integer.format(pollIntervalMs)} ms.`);
      } catch (e) {
        say(`Settings refused: ${e.message}`, true);
      }
    });

    byId('pause').addEventListener('click', async () => {
      try {
        if (latestInfo && latestInfo.ratePerSecond === 0) {
          const resumeRate = rateBeforePause || Number(rate.value) || 10;
          const info = await putSettings({ ratePerSecond: resumeRate });
          say(`Resumed at ${oneDecimal.format(info.ratePerSecond)} events/s.`);
        } else {
          rateBeforePause = latestInfo ? latestInfo.ratePerSecond : Number(rate.value);
          await putSettings({ ratePerSecond: 0 });
          say('Paused: no events are published. Watch which transports still use the wire.');
        }
      } catch (e) {
        say(`Could not change the rate: ${e.message}`, true);
      }
    });

    byId('drop').addEventListener('click', async () => {
      try {
        const response = await controlFetch('/feed/drop-connections', { method: 'POST' });
        if (!response.ok) {
          throw new Error(await problemText(response));
        }

        const result = await response.json();
        document.body.dataset.drops = String(Number(document.body.dataset.drops || 0) + 1);
        say(`The target dropped ${integer.format(result.dropped)} connection${result.dropped === 1 ? '' : 's'}: watch each panel recover.`);
      } catch (e) {
        say(`Could not drop connections: ${e.message}`, true);
      }
    });

    wireFault('fault-abort', { kind: 'abort', fraction: 0.1, durationMs: 10000 },
      'Aborting 10 % of the open feed connections every second for 10 s: watch each transport reconnect and resume.');
    wireFault('fault-stall', { kind: 'stall', fraction: 1, durationMs: 5000 },
      'The target holds its writes to SSE and WebSocket for 5 s: their events wait, then arrive all at once, none lost.');
    wireFault('fault-restart', { kind: 'restart' },
      'The feed restarted with a new epoch: each transport is told "reset" and starts again from the new feed\'s first event.');
    return panels;
  }

  function wireFault(buttonId, fault, saying) {
    byId(buttonId).addEventListener('click', async () => {
      try {
        const response = await controlFetch('/feed/faults', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(fault),
        });
        if (!response.ok) {
          throw new Error(await problemText(response));
        }

        const record = await response.json();
        document.body.dataset.faults = String(Number(document.body.dataset.faults || 0) + 1);
        document.body.dataset.lastFault = record.kind;
        say(saying);
      } catch (e) {
        say(`Could not inject the fault: ${e.message}`, true);
      }
    });
  }

  // ---- The control token ------------------------------------------------------------------------------------

  // A target started with --control-token answers its control routes 401 without it. The page then shows the
  // token field; once a token is entered, every control call sends it, and the refused action is tried again.
  let controlToken = null;
  let refusedAction = null;

  async function controlFetch(url, options) {
    const headers = { ...(options.headers || {}) };
    if (controlToken) {
      headers.Authorization = `Bearer ${controlToken}`;
    }

    const response = await fetch(url, { ...options, headers });
    if (response.status === 401) {
      refusedAction = () => controlFetch(url, options);
      const form = byId('token-form');
      form.hidden = false;
      byId('control-token').focus();
      throw new Error(controlToken
        ? 'the target refused the control token: enter the right one below'
        : 'this target needs its control token: enter it below');
    }

    return response;
  }

  function wireToken() {
    byId('token-form').addEventListener('submit', async (submit) => {
      submit.preventDefault();
      const input = byId('control-token');
      if (!input.value) {
        say('Enter the control token first.', true);
        input.focus();
        return;
      }

      controlToken = input.value.trim();
      const retry = refusedAction;
      refusedAction = null;
      if (!retry) {
        say('Control token set: it is sent with every control call from now on.');
        return;
      }

      try {
        const response = await retry();
        if (!response.ok) {
          throw new Error(await problemText(response));
        }

        say('Control token accepted: done.');
      } catch (e) {
        say(`Still refused: ${e.message}`, true);
      }
    });
  }

  // ---- Helpers and start ------------------------------------------------------------------------------------

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(await problemText(response));
    }

    return response.json();
  }

  async function problemText(response) {
    try {
      const problem = await response.json();
      return problem.detail || problem.title || `HTTP ${response.status}`;
    } catch {
      return `HTTP ${response.status}`;
    }
  }

  async function start() {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname)) {
      byId('clock-warning').hidden = false;
    }

    let info;
    for (;;) {
      try {
        info = await getJson('/feed/info');
        break;
      } catch (e) {
        say(`Waiting for the target: ${e.message}`, true);
        await sleep(1000);
      }
    }

    // Every panel starts from the same cursor: the latest seq now. They then show the same events.
    showInfo(info);
    byId('rate').value = info.ratePerSecond;
    byId('payload').value = info.payloadBytes;
    byId('feed-start').textContent = integer.format(info.latestSeq);
    document.body.dataset.startSeq = info.latestSeq;

    const panels = TRANSPORTS.map((id) => new Panel(id, info.latestSeq, info.epoch ?? null));
    const [poll, longPoll, sse, ws] = panels;
    runPolling(poll);
    runLongPolling(longPoll);
    runSse(sse);
    runWebSocket(ws);
    readTargetForever();
    wireControls(panels);
    wireToken();
    setInterval(() => render(panels), RENDER_EVERY_MS);
    render(panels);
    say('Live. Change the rate, pause, drop every connection or inject a fault, and watch each transport recover.');
    document.body.dataset.ready = 'true';
  }

  start();
})();

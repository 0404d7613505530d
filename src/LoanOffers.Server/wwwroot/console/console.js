// The lending team's console: a small static app over the engine's own admin API. Every call carries the signed-in
// staff token; the page holds no data of its own. Text from the API is only ever set as text, never as markup.

const tokenKey = 'loanoffers.console.token';
const main = document.getElementById('main');
const session = { token: sessionStorage.getItem(tokenKey), subject: null, role: null, permissions: new Set() };
let leavePage = () => {};
// Each route bumps this, so an answer that arrives after the user has moved on cannot redraw the page they left.
let routeGeneration = 0;

// ---------- plumbing ----------

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const number = value => (value ?? 0).toLocaleString('en-US');
const percent = value => `${((value ?? 0) * 100).toFixed(1)}%`;
const money = value => (value ?? 0).toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const when = value => value ? new Date(value).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' }) + ' UTC' : '–';
const can = permission => session.permissions.has(permission);

async function api(path, { method = 'GET', body, contentType = 'application/json', accept = 'application/json', signingIn = false } = {}) {
  const generation = routeGeneration;
  const headers = { Authorization: `Bearer ${session.token}`, Accept: accept };
  if (body !== undefined) headers['Content-Type'] = contentType;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
  if (response.status === 401 && !signingIn) {
    signOut('Your sign-in has expired or is not accepted. Sign in again.');
    throw new Error('signed out');
  }
  const type = response.headers.get('Content-Type') ?? '';
  const content = type.includes('json') ? await response.json() : await response.text();
  if (generation !== routeGeneration) throw new Error('navigated away');
  return { ok: response.ok, status: response.status, content };
}

function problemText(problem) {
  if (problem && typeof problem === 'object') return problem.detail ?? problem.title ?? JSON.stringify(problem);
  return String(problem);
}

function page(title, ...content) {
  document.title = `${title} · Loan offer console`;
  main.replaceChildren(h('h1', {}, title), ...content.flat(Infinity).filter(child => child !== null && child !== undefined && child !== false));
  main.focus();
}

function failure(result) {
  return h('p', { class: 'errors', role: 'alert' }, `${result.status}: ${problemText(result.content)}`);
}

function table(caption, headings, rows, numeric = []) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headings.map((heading, index) => h('th', { scope: 'col', class: numeric.includes(index) ? 'number' : null }, heading)))),
    h('tbody', {}, rows.map(cells => h('tr', {}, cells.map((cell, index) => h('td', { class: numeric.includes(index) ? 'number' : null }, cell))))));
}

function chart(label, config) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const holder = h('div', { class: 'chart' }, canvas);
  queueMicrotask(() => new window.Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
  return holder;
}

function everySecond(work) {
  const timer = setInterval(work, 1000);
  const previous = leavePage;
  leavePage = () => { clearInterval(timer); previous(); };
}

// Redraws a run's or a what-if's report each second until it stops running.
function refreshWhileRunning(path, body, render, first) {
  if (first.state !== 'Running') return;
  let polling = false;
  everySecond(async () => {
    if (polling) return;
    polling = true;
    const next = await api(path).finally(() => { polling = false; });
    if (next.ok) body.replaceChildren(...render(next.content).filter(Boolean));
    if (next.ok && next.content.state !== 'Running') leavePage();
  });
}

// ---------- sign-in ----------

async function loadSession() {
  const result = await api('/api/v1/admin/session');
  if (!result.ok) return result;
  session.subject = result.content.subject;
  session.role = result.content.role;
  session.permissions = new Set(result.content.permissions);
  document.getElementById('who').textContent = `${session.subject} (${session.role})`;
  document.getElementById('sign-out').hidden = false;
  const nav = document.getElementById('nav');
  nav.hidden = false;
  for (const link of nav.querySelectorAll('a')) link.hidden = !can(link.dataset.area);
  return result;
}

function signOut(message) {
  sessionStorage.removeItem(tokenKey);
  session.token = null;
  session.permissions = new Set();
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
  showSignIn(message);
}

function showSignIn(message) {
  leavePage();
  leavePage = () => {};
  const field = h('textarea', { id: 'token', name: 'token', rows: 4, required: true, autocomplete: 'off', spellcheck: 'false' });
  const errors = h('div', { class: 'errors', role: 'alert', id: 'sign-in-errors' }, message ?? '');
  const form = h('form', {
    onsubmit: async event => {
      event.preventDefault();
      session.token = field.value.trim();
      const result = await api('/api/v1/admin/session', { signingIn: true }).catch(() => null);
      if (result?.ok) {
        sessionStorage.setItem(tokenKey, session.token);
        await loadSession();
        location.hash = '#/programs';
        route();
      } else {
        session.token = null;
        errors.textContent = result?.status === 403
          ? 'That token is valid but its role has no access to the console (staff roles only).'
          : 'That token is not accepted by this engine.';
      }
    },
  },
  h('label', { for: 'token' }, 'Access token (a staff token issued by this engine)'),
  field,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
  page('Sign in', errors, form);
}

// ---------- programs ----------

async function programList() {
  const result = await api('/api/v1/admin/programs');
  return result.ok ? result.content : [];
}

async function programsPage() {
  const programs = await programList();
  page('Programs',
    programs.length === 0
      ? h('p', {}, 'No program is configured yet.')
      : table('Programs', ['Program', 'Name', 'Version', 'Enabled', 'Updated'],
        programs.map(program => [h('a', { href: `#/programs/${encodeURIComponent(program.programId)}` }, program.programId), program.programName,
          number(program.version), program.enabled ? 'yes' : 'no', when(program.updatedAt)]), [2]));
}

async function programPage(programId, notice = '') {
  const path = `/api/v1/admin/programs/${encodeURIComponent(programId)}`;
  const [document, versions] = await Promise.all([api(path, { accept: 'application/yaml' }), api(`${path}/versions`)]);
  if (!document.ok) return page(`Program ${programId}`, failure(document));

  const editable = can('programs-write');
  const editor = h('textarea', { id: 'program-yaml', rows: 28, spellcheck: 'false', readonly: !editable, 'aria-describedby': 'program-errors' }, document.content);
  const errors = h('div', { class: 'errors', id: 'program-errors', role: 'alert' });
  const status = h('p', { role: 'status', id: 'program-status' }, notice);
  const showErrors = (result, what) => {
    status.textContent = '';
    const fieldErrors = result.content?.errors ?? {};
    errors.append(h('p', {}, `${what}: ${Object.keys(fieldErrors).length || 1} error(s).`),
      h('ul', { id: 'error-list' }, Object.keys(fieldErrors).length
        ? Object.entries(fieldErrors).flatMap(([field, messages]) => messages.map(message => h('li', {}, h('code', { class: 'error-path' }, field), ' ', message)))
        : [h('li', {}, problemText(result.content))]));
  };
  const save = async () => {
    errors.replaceChildren();
    status.textContent = 'Saving…';
    const result = await api(path, { method: 'PUT', body: editor.value, contentType: 'application/yaml', accept: 'application/yaml' });
    if (result.ok) {
      await programPage(programId, 'Saved as a new version.');
      return;
    }
    showErrors(result, 'The program was not saved');
  };
  const sample = h('input', { id: 'what-if-sample', type: 'number', min: 1, step: 1, inputmode: 'numeric', 'aria-describedby': 'what-if-help' });
  const simulate = async () => {
    errors.replaceChildren();
    status.textContent = 'Starting a what-if…';
    const query = sample.value.trim() ? `?sample=${encodeURIComponent(sample.value.trim())}` : '';
    const result = await api(`${path}/simulations${query}`, { method: 'POST', body: editor.value, contentType: 'application/yaml' });
    if (result.ok) {
      location.hash = `#/simulations/${encodeURIComponent(programId)}/${encodeURIComponent(result.content.simulationId)}`;
      return;
    }
    showErrors(result, 'The what-if was not started');
  };

  const diff = h('pre', { class: 'diff', id: 'version-diff', hidden: true, tabindex: '0', 'aria-label': 'Differences between versions' });
  const showDiff = async version => {
    const result = await api(`${path}/versions/${version}/diff`);
    diff.hidden = false;
    diff.textContent = result.ok
      ? `Version ${result.content.from} → ${result.content.to}\n` + (result.content.changes.length ? result.content.changes.join('\n') : '(no changes)')
      : problemText(result.content);
    diff.focus();
  };
  const history = versions.ok ? [...versions.content].reverse() : [];

  page(`Program ${programId}`,
    h('p', {}, h('a', { href: `#/runs/${encodeURIComponent(programId)}` }, 'Runs of this program')),
    h('h2', {}, 'Configuration'),
    editable ? null : h('p', { class: 'notice', id: 'read-only-notice' }, `Your role (${session.role}) can read programs but not change them.`),
    h('label', { for: 'program-yaml' }, 'Program configuration (seed 000 YAML)'),
    editor,
    errors,
    editable ? h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'save-program', onclick: save }, 'Save as new version'),
      h('button', { type: 'button', class: 'secondary', id: 'start-what-if', onclick: simulate }, 'Try as a what-if'),
      h('label', { for: 'what-if-sample' }, 'Customers to sample'), sample,
      status) : null,
    editable ? h('p', { id: 'what-if-help', class: 'hint' }, 'A what-if decides the live program\'s customers (or a sample of them) under this text and under the live version, and saves nothing.') : null,
    h('h2', {}, 'Version history'),
    table('Stored versions, newest first', ['Version', 'Name', 'Enabled', 'Changes'],
      history.map(version => [number(version.version), version.programName, version.enabled ? 'yes' : 'no',
        version.version > 1 ? h('button', { type: 'button', class: 'secondary', onclick: () => showDiff(version.version) }, `Diff v${version.version - 1} → v${version.version}`) : 'first version']), [0]),
    diff);
}

// ---------- runs ----------

async function programPicker(title, target) {
  const programs = await programList();
  page(title, programs.length === 0
    ? h('p', {}, 'No program is configured yet.')
    : h('ul', {}, programs.map(program => h('li', {}, h('a', { href: `#/${target}/${encodeURIComponent(program.programId)}` }, `${program.programName} (${program.programId})`)))));
}

async function runsPage(programId) {
  const path = `/api/v1/admin/programs/${encodeURIComponent(programId)}/runs`;
  const result = await api(path);
  if (!result.ok) return page(`Runs of ${programId}`, failure(result));
  const status = h('p', { role: 'status' });
  const start = async () => {
    const started = await api(path, { method: 'POST' });
    if (started.ok) location.hash = `#/runs/${encodeURIComponent(programId)}/${encodeURIComponent(started.content.runId)}`;
    else status.textContent = problemText(started.content);
  };
  page(`Runs of ${programId}`,
    can('programs-write') ? h('div', { class: 'actions' }, h('button', { type: 'button', id: 'start-run', onclick: start }, 'Start a run now'), status) : null,
    result.content.length === 0 ? h('p', {}, 'No run yet.') :
      table('Runs, newest first', ['Run', 'State', 'Started', 'Customers', 'Offered', 'Errors'],
        result.content.map(run => [h('a', { href: `#/runs/${encodeURIComponent(programId)}/${encodeURIComponent(run.runId)}` }, run.runId), run.state,
          when(run.startedAt), `${number(run.processed)} / ${number(run.total)}`, number(run.offered), number(run.errors)]), [3, 4, 5]));
}

async function runPage(programId, runId) {
  const path = `/api/v1/admin/programs/${encodeURIComponent(programId)}/runs/${encodeURIComponent(runId)}`;
  const render = run => {
    const rejected = Object.entries(run.rejectedByFilter ?? {});
    const tiers = Object.entries(run.offersByTier ?? {});
    let remaining = run.total;
    const funnelRows = [['customers', run.total], ...rejected.map(([filter, count]) => [`rejected by ${filter}`, count])];
    const passing = rejected.map(([filter, count]) => { remaining -= count; return [filter, remaining]; });
    return [
      h('dl', { class: 'facts' },
        h('dt', {}, 'State'), h('dd', { id: 'run-state' }, run.state),
        h('dt', {}, 'Program version'), h('dd', {}, `v${run.configVersion}`),
        h('dt', {}, 'Started'), h('dd', {}, when(run.startedAt)),
        h('dt', {}, 'Completed'), h('dd', {}, when(run.completedAt)),
        h('dt', {}, 'Progress'), h('dd', {},
          h('progress', { id: 'run-progress', max: Math.max(run.total, 1), value: run.processed, 'aria-label': 'Customers evaluated' }),
          ` ${number(run.processed)} of ${number(run.total)} customers`),
        h('dt', {}, 'Partitions'), h('dd', {}, `${number(run.partitionsDone)} of ${number(run.partitionsTotal)}`),
        h('dt', {}, 'Offered'), h('dd', { id: 'run-offered' }, number(run.offered)),
        h('dt', {}, 'Offers made'), h('dd', {}, number(run.offersMade)),
        h('dt', {}, 'No offer'), h('dd', {}, number(run.noOffer)),
        h('dt', {}, 'Withdrawn'), h('dd', {}, number(run.withdrawn))),
      run.pause ? h('p', { class: 'notice', role: 'status' }, `Paused since ${when(run.pause.since)}: ${run.pause.reason}. Retrying at ${when(run.pause.retryAt)}.`) : null,
      h('h2', {}, 'Filter funnel'),
      h('div', { class: 'row' },
        table('Customers rejected by each filter', ['Stage', 'Customers'], funnelRows.map(([stage, count]) => [stage, number(count)]), [1]),
        rejected.length ? chart('Customers remaining after each filter', {
          type: 'bar',
          data: { labels: ['all customers', ...passing.map(([filter]) => `after ${filter}`)], datasets: [{ label: 'Customers remaining', data: [run.total, ...passing.map(([, count]) => count)], backgroundColor: '#0b5cad' }] },
          options: { indexAxis: 'y' },
        }) : null),
      h('h2', {}, 'Tier mix'),
      h('div', { class: 'row' },
        table('Offers by tier', ['Tier', 'Offers', 'Share'], tiers.map(([tier, count]) => [tier, number(count), percent(run.offered ? count / run.offered : 0)]), [1, 2]),
        tiers.length ? chart('Offers by tier', {
          type: 'doughnut',
          data: { labels: tiers.map(([tier]) => tier), datasets: [{ data: tiers.map(([, count]) => count), backgroundColor: ['#137333', '#0b5cad', '#b06000', '#8e24aa', '#57606a'] }] },
        }) : null),
      h('h2', {}, 'Errors and bad rows'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Errors'), h('dd', { id: 'run-errors' }, number(run.errors)),
        h('dt', {}, 'Pauses'), h('dd', {}, number(run.pauses)),
        h('dt', {}, 'Bad rows'), h('dd', {}, number(run.badRowCount)),
        h('dt', {}, 'Last error'), h('dd', {}, run.lastError ?? 'none')),
      (run.badRows ?? []).length ? table('Bad rows of the source (line and reason; no personal values)', ['Line', 'Reason'], run.badRows.map(row => [number(row.lineNumber), row.reason]), [0]) : null,
      ...(run.fairness ? [
        h('h2', {}, 'Fairness (four-fifths rule)'),
        run.fairness.breaches.length
          ? h('ul', { class: 'errors', role: 'alert', id: 'fairness-breaches' }, run.fairness.breaches.map(breach => h('li', {}, breach)))
          : h('p', { id: 'fairness-breaches' }, `No group of at least ${run.fairness.minimumGroupSize} customers was offered at under ${percent(run.fairness.threshold)} of the best group's rate by a gap beyond chance.`),
        table('Offers by age band and state against the best-treated group', ['Group', 'Customers', 'Offered', 'Offer rate', 'Impact ratio', 'Gap to the rest (z)', 'Beyond chance above z', 'Mean approval score'],
          run.fairness.groups.map(group => [`${group.dimension} ${group.group}${group.breach ? ' (breach)' : ''}`, number(group.evaluated), number(group.offered),
            percent(group.offerRate), group.adverseImpactRatio?.toFixed(2) ?? '–', group.zScore?.toFixed(2) ?? '–', group.criticalZ?.toFixed(2) ?? '–',
            group.meanApprovalScore?.toFixed(3) ?? '–']), [1, 2, 3, 4, 5, 6, 7]),
      ] : []),
      run.state === 'Completed' ? h('p', {}, h('a', { href: `#/funnel/${encodeURIComponent(programId)}/${encodeURIComponent(runId)}` }, 'Campaign funnel of this run')) : null,
    ];
  };

  const result = await api(path);
  if (!result.ok) return page(`Run ${runId}`, failure(result));
  const body = h('div', { id: 'run-report', 'aria-live': 'polite' }, render(result.content));
  page(`Run ${runId}`, h('p', {}, h('a', { href: `#/runs/${encodeURIComponent(programId)}` }, `All runs of ${programId}`)), body);
  refreshWhileRunning(path, body, render, result.content);
}

// ---------- what-if runs ----------

async function simulationPage(programId, simulationId) {
  const path = `/api/v1/admin/programs/${encodeURIComponent(programId)}/simulations/${encodeURIComponent(simulationId)}`;
  const signed = (value, format) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${format(Math.abs(value))}`;
  const render = simulation => {
    const { live, proposed } = simulation;
    const keys = (field) => [...new Set([...Object.keys(live[field] ?? {}), ...Object.keys(proposed[field] ?? {})])].sort();
    const count = (tally, field, key) => (tally[field] ?? {})[key] ?? 0;
    const stages = [
      ['customers decided', live.evaluated, proposed.evaluated, number],
      ...keys('rejectedByFilter').map(filter => [`rejected by ${filter}`, count(live, 'rejectedByFilter', filter), count(proposed, 'rejectedByFilter', filter), number]),
      ['no offer', live.noOffer, proposed.noOffer, number],
      ['offered', live.offered, proposed.offered, number],
      ...keys('offersByTier').map(tier => [`offered, ${tier}`, count(live, 'offersByTier', tier), count(proposed, 'offersByTier', tier), number]),
      ['expected applications', live.expectedApplications, proposed.expectedApplications, value => value.toFixed(1)],
      ['expected volume', live.expectedVolume, proposed.expectedVolume, money],
    ];
    const tiers = keys('offersByTier');
    return [
      h('dl', { class: 'facts' },
        h('dt', {}, 'State'), h('dd', { id: 'what-if-state' }, simulation.state),
        h('dt', {}, 'Compared with'), h('dd', {}, `the live version, v${simulation.liveVersion}`),
        h('dt', {}, 'Customers'), h('dd', {}, simulation.sample ? `a sample of ${number(simulation.sample)} of the live book` : 'the live book'),
        h('dt', {}, 'Progress'), h('dd', {},
          h('progress', { max: Math.max(simulation.total, 1), value: simulation.processed, 'aria-label': 'Customers decided' }),
          ` ${number(simulation.processed)} of ${number(simulation.total)} customers`),
        h('dt', {}, 'Started'), h('dd', {}, `${when(simulation.startedAt)} by ${simulation.requestedBy}`),
        h('dt', {}, 'Completed'), h('dd', {}, when(simulation.completedAt)),
        h('dt', {}, 'Errors'), h('dd', {}, number(simulation.errors)),
        h('dt', {}, 'Last error'), h('dd', {}, simulation.lastError ?? 'none')),
      h('h2', {}, 'Both versions on the same customers'),
      table('What-if funnel: the live version against the proposed one', ['Stage', `Live (v${simulation.liveVersion})`, 'Proposed', 'Difference'],
        stages.map(([stage, was, would, format]) => [stage, format(was), format(would), signed(would - was, format)]), [1, 2, 3]),
      tiers.length ? chart('Offers by tier: live against proposed', {
        type: 'bar',
        data: {
          labels: tiers,
          datasets: [
            { label: `live (v${simulation.liveVersion})`, data: tiers.map(tier => count(live, 'offersByTier', tier)), backgroundColor: '#57606a' },
            { label: 'proposed', data: tiers.map(tier => count(proposed, 'offersByTier', tier)), backgroundColor: '#0b5cad' },
          ],
        },
      }) : null,
    ];
  };

  const result = await api(path);
  if (!result.ok) return page(`What-if ${simulationId}`, failure(result));
  const body = h('div', { id: 'what-if-report', 'aria-live': 'polite' }, render(result.content));
  page(`What-if ${simulationId}`, h('p', {}, h('a', { href: `#/programs/${encodeURIComponent(programId)}` }, `Program ${programId}`)), body);
  refreshWhileRunning(path, body, render, result.content);
}

// ---------- campaign funnel ----------

async function funnelRunPicker(programId) {
  const result = await api(`/api/v1/admin/programs/${encodeURIComponent(programId)}/runs`);
  if (!result.ok) return page('Campaign funnel', failure(result));
  const completed = result.content.filter(run => run.state === 'Completed');
  page(`Campaign funnel of ${programId}`, completed.length === 0 ? h('p', {}, 'No completed run yet.') :
    h('ul', {}, completed.map(run => h('li', {}, h('a', { href: `#/funnel/${encodeURIComponent(programId)}/${encodeURIComponent(run.runId)}` }, `${run.runId} (${number(run.offered)} offered)`)))));
}

async function funnelPage(programId, runId) {
  const runPath = `/api/v1/admin/programs/${encodeURIComponent(programId)}/runs/${encodeURIComponent(runId)}`;
  const [funnel, campaign] = await Promise.all([api(`${runPath}/funnel`), api(`${runPath}/campaign`)]);
  if (!funnel.ok) return page(`Campaign funnel of ${runId}`, failure(funnel));
  const segments = funnel.content.segments;
  const byChannel = segments.filter(segment => segment.channel !== 'all');
  const stages = ['sent', 'delivered', 'opened', 'clicked', 'applied', 'funded'];
  const progress = campaign.ok ? campaign.content : null;
  page(`Campaign funnel of ${runId}`,
    h('p', {}, h('a', { href: `#/runs/${encodeURIComponent(programId)}/${encodeURIComponent(runId)}` }, 'The run')),
    progress ? h('p', { id: 'campaign-status' }, `Campaign ${progress.status}: ${number(progress.queued)} messages queued; ` +
      Object.entries(progress.messages ?? {}).map(([status, count]) => `${number(count)} ${status}`).join(', ')) : null,
    segments.length === 0 ? h('p', {}, 'No message of this run has been sent yet.') : [
      h('div', { class: 'row' },
        chart('Funnel by tier and channel: messages at each stage', {
          type: 'bar',
          data: {
            labels: byChannel.map(segment => `${segment.tier} · ${segment.channel}`),
            datasets: stages.map((stage, index) => ({ label: stage, data: byChannel.map(segment => segment[stage]), backgroundColor: ['#0b5cad', '#4f8fd6', '#8e24aa', '#b06000', '#137333', '#0f5223'][index] })),
          },
        }),
        chart('Rates by tier and channel', {
          type: 'bar',
          data: {
            labels: byChannel.map(segment => `${segment.tier} · ${segment.channel}`),
            datasets: [['open rate', 'openRate'], ['click rate', 'clickRate'], ['application rate', 'applicationRate'], ['funded rate', 'fundedRate']]
              .map(([label, key], index) => ({ label, data: byChannel.map(segment => segment[key] * 100), backgroundColor: ['#4f8fd6', '#b06000', '#137333', '#0f5223'][index] })),
          },
          options: { scales: { y: { title: { display: true, text: '%' } } } },
        })),
      table('Segments (tier × channel; "all" sums a tier\'s channels)',
        ['Tier', 'Channel', 'Sent', 'Delivered', 'Bounced', 'Opened', 'Clicked', 'Applied', 'Funded', 'Funded volume', 'Open rate', 'Click rate', 'Application rate', 'Approval rate'],
        segments.map(segment => [segment.tier, segment.channel, number(segment.sent), number(segment.delivered), number(segment.bounced), number(segment.opened),
          number(segment.clicked), number(segment.applied), number(segment.funded), money(segment.fundedVolume), percent(segment.openRate), percent(segment.clickRate),
          percent(segment.applicationRate), percent(segment.approvalRate)]), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    ]);
}

// ---------- models ----------

async function modelsPage() {
  const result = await api('/api/v1/admin/models');
  if (!result.ok) return page('Models', failure(result));
  const operate = can('models-write');
  const status = h('p', { role: 'status', id: 'model-status' });
  const act = async (modelId, action) => {
    status.textContent = action === 'retrain' ? `Retraining ${modelId} on recorded outcomes…` : `Rolling back ${modelId}…`;
    const done = await api(`/api/v1/admin/models/${encodeURIComponent(modelId)}/${action}`, { method: 'POST', body: action === 'retrain' ? {} : undefined });
    status.textContent = done.ok
      ? (action === 'retrain' ? (done.content.promoted ? `Promoted ${modelId} ${done.content.candidate.version}: ${done.content.reason}` : `Kept ${done.content.currentVersion}: ${done.content.reason}`) : `Rolled back ${modelId}.`)
      : problemText(done.content);
    if (done.ok) setTimeout(route, 1500);
  };
  page('Models', status, h('div', { class: 'cards' }, result.content.map(card => {
    const bins = card.metrics.calibrationByDecile ?? [];
    return h('section', { class: 'card', 'aria-labelledby': `model-${card.modelId}` },
      h('h2', { id: `model-${card.modelId}` }, `${card.modelId} ${card.version}`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Role'), h('dd', {}, card.role),
        h('dt', {}, 'Predicts'), h('dd', {}, card.label),
        h('dt', {}, 'Held-out AUC'), h('dd', { class: 'auc' }, card.metrics.auc.toFixed(3)),
        h('dt', {}, 'Brier score'), h('dd', {}, card.metrics.brier.toFixed(4)),
        h('dt', {}, 'Held-out rows'), h('dd', {}, number(card.heldOutRows)),
        h('dt', {}, 'Training rows'), h('dd', {}, number(card.trainingRows)),
        card.groundTruth ? [h('dt', {}, 'Ground-truth AUC'), h('dd', {}, card.groundTruth.auc.toFixed(3))] : null,
        h('dt', {}, 'Features'), h('dd', {}, card.features.join(', ')),
        card.featureImportance?.length ? [h('dt', {}, 'Most important'), h('dd', {},
          card.featureImportance.slice(0, 3).map(feature => `${feature.feature} (AUC −${feature.aucLoss.toFixed(3)})`).join(', '))] : null),
      chart(`Calibration of ${card.modelId}: observed rate against mean predicted probability by decile`, {
        type: 'line',
        data: {
          labels: bins.map(bin => `D${bin.decile}`),
          datasets: [
            { label: 'observed rate', data: bins.map(bin => bin.observedRate), borderColor: '#0b5cad' },
            { label: 'mean predicted', data: bins.map(bin => bin.meanPredicted), borderColor: '#b06000', borderDash: [4, 4] },
          ],
        },
        options: { scales: { y: { min: 0, max: 1 } } },
      }),
      operate ? h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => act(card.modelId, 'retrain') }, 'Retrain and promote if better'),
        h('button', { type: 'button', class: 'secondary', onclick: () => act(card.modelId, 'rollback') }, 'Roll back')) : null);
  })));
}

// ---------- reports ----------

async function download(path, fileName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session.token}`, Accept: 'text/csv' } });
  if (!response.ok) return;
  const link = h('a', { href: URL.createObjectURL(await response.blob()), download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
}

async function reportsPage() {
  const result = await api('/api/v1/admin/reports/daily');
  if (!result.ok) return page('Reports', failure(result));
  const { days, status } = result.content;
  const queued = [status.working, ...status.queued].filter(Boolean);
  const notice = h('p', { role: 'status', id: 'report-status' },
    queued.length ? `Making: ${queued.map(request => `${request.kind} of ${request.day}`).join(', ')}.` : '',
    status.last ? ` Last made: ${status.last.request.kind} of ${status.last.request.day} (${status.last.request.requestedBy}) at ${when(status.last.finishedAt)}` +
      (status.last.error ? `, failed: ${status.last.error}` : `, ${number(status.last.rows)} rows.`) : '');
  const kind = h('select', { id: 'report-kind' }, h('option', { value: 'daily' }, 'Daily origination report'), h('option', { value: 'totals' }, 'Nightly totals (metrics aggregation)'),
    h('option', { value: 'export' }, 'Weekly warehouse export (Parquet)'));
  const day = h('input', { id: 'report-day', type: 'date', required: true, value: new Date().toISOString().slice(0, 10) });
  const make = async event => {
    event.preventDefault();
    const made = await api('/api/v1/admin/reports', { method: 'POST', body: { kind: kind.value, day: day.value } });
    notice.textContent = made.ok ? `Queued ${kind.value} of ${day.value}; it appears here when made.` : problemText(made.content);
    if (made.ok) everySecond(async () => {
      const next = await api('/api/v1/admin/reports/daily');
      const last = next.ok ? next.content.status.last : null;
      if (last && last.request.kind === kind.value && last.request.day === day.value) { leavePage(); reportsPage(); }
    });
  };
  page('Reports',
    h('p', {}, 'The nightly aggregation takes each program\'s running totals per run, tier and channel after midnight; the daily origination report (6:00) compares the day just ended with the day before and the same day a week before.'),
    notice,
    can('reports-write') ? h('form', { class: 'actions', onsubmit: make },
      h('label', { for: 'report-kind' }, 'Report'), kind, h('label', { for: 'report-day' }, 'Business day'), day,
      h('button', { type: 'submit' }, 'Make it now')) : null,
    days.length === 0 ? h('p', {}, 'No daily report has been made yet.') :
      table('Daily origination reports, newest first', ['Business day', 'Nightly totals', 'Warehouse export of its week'],
        days.map(listed => [h('a', { href: `#/reports/${listed}` }, listed), h('a', { href: `#/reports/${listed}/totals` }, `totals of ${listed}`),
          h('a', { href: `#/exports/${listed}` }, `export of the week of ${listed}`)])));
}

/** A comparison's figure, or a dash where its totals were never taken. */
const compared = (now, before) => before === null || before === undefined ? '–' : number(before);

async function dailyReportPage(day) {
  const path = `/api/v1/admin/reports/daily/${encodeURIComponent(day)}`;
  const result = await api(path);
  if (!result.ok) return page(`Daily origination report of ${day}`, failure(result));
  const rows = result.content.rows;
  page(`Daily origination report of ${day}`,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => download(path, `origination-${day}.csv`) }, 'Download CSV'),
      h('a', { href: `#/reports/${encodeURIComponent(day)}/totals` }, 'The nightly totals it was built from')),
    h('p', {}, `Built ${when(result.content.builtAt)}. "Day before" and "week before" are the same figures for the day before and the same day a week before; – where those totals were never taken.`),
    rows.length === 0 ? h('p', {}, 'No program had totals that day.') :
      table('Origination by program, tier and channel',
        ['Program', 'Tier', 'Channel', 'Offers live', 'Day before', 'Week before', 'Sent', 'Day before', 'Week before',
          'Applications', 'Day before', 'Week before', 'Approvals (funded)', 'Day before', 'Week before', 'Declines', 'Funded volume', 'Day before', 'Week before'],
        rows.map(row => [row.programId, row.tier, row.channel,
          row.offersLive === undefined ? '–' : number(row.offersLive), compared(row.offersLive, row.offersLivePreviousDay), compared(row.offersLive, row.offersLivePreviousWeek),
          number(row.day.sent), compared(row.day.sent, row.previousDay?.sent), compared(row.day.sent, row.previousWeek?.sent),
          number(row.day.applied), compared(row.day.applied, row.previousDay?.applied), compared(row.day.applied, row.previousWeek?.applied),
          number(row.day.funded), compared(row.day.funded, row.previousDay?.funded), compared(row.day.funded, row.previousWeek?.funded),
          number(row.day.declined),
          money(row.day.fundedVolume), row.previousDay ? money(row.previousDay.fundedVolume) : '–', row.previousWeek ? money(row.previousWeek.fundedVolume) : '–']),
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]));
}

async function totalsPage(day) {
  const path = `/api/v1/admin/reports/totals/${encodeURIComponent(day)}`;
  const result = await api(path);
  if (!result.ok) return page(`Nightly totals of ${day}`, failure(result));
  page(`Nightly totals of ${day}`,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => download(path, `totals-${day}.csv`) }, 'Download CSV')),
    table('Running totals per program, run, tier and channel (live offers per tier)',
      ['Program', 'Run', 'Tier', 'Channel', 'Offers live', 'Sent', 'Opened', 'Clicked', 'Applications', 'Approvals (funded)', 'Declines', 'Funded volume'],
      result.content.totals.map(row => [row.programId, row.runId ?? '–', row.tier, row.channel, row.offersLive === undefined ? '–' : number(row.offersLive),
        number(row.sent), number(row.opened), number(row.clicked), number(row.applied), number(row.funded), number(row.declined), money(row.fundedVolume)]),
      [4, 5, 6, 7, 8, 9, 10, 11]));
}

async function exportPage(day) {
  const result = await api(`/api/v1/admin/reports/exports/${encodeURIComponent(day)}`);
  if (!result.ok) return page(`Warehouse export of the week of ${day}`, failure(result));
  const manifest = result.content;
  page(`Warehouse export of the week of ${manifest.week}`,
    h('p', {}, `Exported ${when(manifest.exportedAt)}, schema version ${manifest.schemaVersion}. Parquet files in blob storage, partitioned by program and week; no personal data.`),
    table('Files', ['Dataset', 'Program', 'Rows', 'Path'], manifest.files.map(file => [file.dataset, file.programId, number(file.rows), h('code', {}, file.path)]), [2]));
}

// ---------- audit ----------

async function auditPage() {
  const action = h('input', { id: 'audit-action', name: 'action', placeholder: 'e.g. program.configure' });
  const actor = h('input', { id: 'audit-actor', name: 'actor' });
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const status = h('p', { role: 'status' });
  let continuation = null;
  const load = async reset => {
    const query = new URLSearchParams({ limit: '50' });
    if (action.value.trim()) query.set('action', action.value.trim());
    if (actor.value.trim()) query.set('actor', actor.value.trim());
    if (!reset && continuation) query.set('continuation', continuation);
    const result = await api(`/api/v1/admin/audit?${query}`);
    if (reset) rows.replaceChildren();
    if (!result.ok) { status.textContent = problemText(result.content); return; }
    status.textContent = '';
    continuation = result.content.continuation ?? null;
    more.hidden = !continuation;
    rows.append(...result.content.entries.map(entry => h('tr', {},
      h('td', { class: 'number' }, number(entry.sequence)), h('td', {}, when(entry.at)), h('td', {}, entry.subject), h('td', {}, entry.role),
      h('td', {}, entry.action), h('td', {}, entry.target), h('td', {}, entry.changes.length ? h('ul', {}, entry.changes.map(change => h('li', {}, change))) : '–'))));
  };
  more.addEventListener('click', () => load(false));
  page('Audit trail',
    h('form', { class: 'actions', onsubmit: event => { event.preventDefault(); load(true); } },
      h('label', { for: 'audit-action' }, 'Action'), action, h('label', { for: 'audit-actor' }, 'Actor'), actor, h('button', { type: 'submit' }, 'Filter')),
    status,
    h('table', {}, h('caption', {}, 'Entries, newest first'),
      h('thead', {}, h('tr', {}, ['#', 'At', 'Actor', 'Role', 'Action', 'Target', 'Changes'].map(heading => h('th', { scope: 'col' }, heading)))), rows),
    more);
  await load(true);
}

// ---------- routing ----------

const routes = [
  [/^#\/programs$/, programsPage],
  [/^#\/programs\/([^/]+)$/, programPage],
  [/^#\/runs$/, () => programPicker('Runs', 'runs')],
  [/^#\/runs\/([^/]+)$/, runsPage],
  [/^#\/runs\/([^/]+)\/([^/]+)$/, runPage],
  [/^#\/simulations\/([^/]+)\/([^/]+)$/, simulationPage],
  [/^#\/funnel$/, () => programPicker('Campaign funnel', 'funnel')],
  [/^#\/funnel\/([^/]+)$/, funnelRunPicker],
  [/^#\/funnel\/([^/]+)\/([^/]+)$/, funnelPage],
  [/^#\/reports$/, reportsPage],
  [/^#\/reports\/([^/]+)$/, dailyReportPage],
  [/^#\/reports\/([^/]+)\/totals$/, totalsPage],
  [/^#\/exports\/([^/]+)$/, exportPage],
  [/^#\/models$/, modelsPage],
  [/^#\/audit$/, auditPage],
  [/^#\/operations$/, operationsPage],
];

function home() {
  return can('programs-read') ? '#/programs' : can('models-read') ? '#/models' : can('audit-read') ? '#/audit' : '#/operations';
}

function operationsPage() {
  page('Operations',
    h('p', {}, `Your role (${session.role}) reads no business data. It has the Orleans dashboard (the link above) and the Prometheus endpoint /metrics, which takes the same token.`));
}

async function route() {
  routeGeneration++;
  leavePage();
  leavePage = () => {};
  if (!session.token) return showSignIn();
  const hash = location.hash || home();
  for (const link of document.querySelectorAll('#nav a')) {
    if (hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const match = routes.map(([pattern, render]) => [hash.match(pattern), render]).find(([found]) => found);
  if (!match) { location.hash = home(); return; }
  const [found, render] = match;
  try {
    await render(...found.slice(1).map(decodeURIComponent));
  } catch (error) {
    if (error.message !== 'signed out' && error.message !== 'navigated away') page('Something went wrong', h('p', { class: 'errors', role: 'alert' }, String(error.message)));
  }
}

async function start() {
  // The demo's console link carries a token in the fragment, which never reaches the server or its logs.
  const link = new URLSearchParams(location.hash.startsWith('#token=') ? location.hash.slice(1) : '');
  if (link.get('token')) {
    session.token = link.get('token');
    sessionStorage.setItem(tokenKey, session.token);
    history.replaceState(null, '', location.pathname);
  }
  document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
  // The dashboard's own page cannot send the token, so it gets a cookie valid only under /dashboard first.
  document.getElementById('dashboard-link').addEventListener('click', async event => {
    event.preventDefault();
    const signedIn = await api('/api/v1/admin/session/dashboard', { method: 'POST' });
    if (signedIn.ok) location.href = '/dashboard/';
  });
  window.addEventListener('hashchange', route);
  if (session.token) {
    const result = await loadSession().catch(() => null);
    if (!result?.ok) return signOut(result?.status === 403 ? 'That token\'s role has no access to the console (staff roles only).' : 'Sign in again.');
  }
  await route();
}

start();

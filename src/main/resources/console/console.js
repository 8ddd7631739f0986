'use strict';
// The Svertka console: plain DOM, no framework. Everything shown that came from a user or a file (model names,
// labels, paths, log lines) goes in through textContent, never as HTML.

const TOKEN_KEY = 'svertka.token';
const $ = id => document.getElementById(id);
let leavePage = () => {}; // stops what the page shown now keeps running (polling, an event stream)

/** Thrown when the server refused the token: back to the login form. */
class Unauthorised extends Error {}

/** A call to the trainer's API with the token kept for this tab; JSON unless the caller reads it otherwise. */
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) }, options.headers);
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    logout('The token was refused.');
    throw new Unauthorised();
  }
  return response;
}

async function json(path, options) {
  const response = await api(path, options);
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || response.statusText);
  }
  return body;
}

/** An element with text (never markup) and optional attributes. */
function el(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  if (text !== undefined && text !== null) {
    element.textContent = String(text);
  }
  Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
  return element;
}

function row(cells) {
  const tr = el('tr');
  cells.forEach(cell => {
    const td = el('td');
    td.append(cell instanceof Node ? cell : String(cell ?? ''));
    tr.append(td);
  });
  return tr;
}

/** Asks in a modal dialog; resolves true on Yes. */
function confirmed(question) {
  const dialog = $('confirm');
  $('confirm-text').textContent = question;
  return new Promise(resolve => {
    const answer = value => () => {
      dialog.close();
      resolve(value);
    };
    $('confirm-yes').onclick = answer(true);
    $('confirm-no').onclick = answer(false);
    dialog.showModal();
  });
}

// ---- login ----------------------------------------------------------------------------------------------

function logout(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  leavePage();
  $('app').hidden = true;
  $('nav').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = why || '';
}

$('login-form').addEventListener('submit', async event => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  try {
    await json('/jobs'); // any call that needs the token tells whether it is right
    $('token').value = '';
    $('login').hidden = true;
    $('app').hidden = false;
    $('nav').hidden = false;
    route();
  } catch (e) {
    if (!(e instanceof Unauthorised)) {
      $('login-error').textContent = e.message;
    }
  }
});

$('logout').addEventListener('click', () => logout());

// ---- pages ------------------------------------------------------------------------------------------------

const PAGES = {
  jobs: showJobs,
  job: showJob,
  registry: showRegistry,
  try: showTry,
  serving: showServing,
};

/** Shows the page the location's hash names (#jobs, #job/ID, #registry, #try). */
function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    logout();
    return;
  }
  leavePage();
  leavePage = () => {};
  const [page, argument] = location.hash.replace(/^#/, '').split('/');
  const show = PAGES[page] ? page : 'jobs';
  document.querySelectorAll('.page').forEach(section => { section.hidden = section.id !== show + '-page'; });
  $('page-error').textContent = '';
  PAGES[show](argument && decodeURIComponent(argument)).catch(e => {
    if (!(e instanceof Unauthorised)) {
      $('page-error').textContent = e.message;
    }
  });
}

window.addEventListener('hashchange', route);

/** Runs {@code task} now and every {@code ms} until the page is left (also while a run of it is under way). */
function every(ms, task) {
  let timer;
  let left = false;
  const tick = async () => {
    await task();
    if (!left) {
      timer = setTimeout(tick, ms);
    }
  };
  leavePage = () => {
    left = true;
    clearTimeout(timer);
  };
  return tick();
}

// ---- jobs -------------------------------------------------------------------------------------------------

async function showJobs() {
  updateSpec();
  await every(2000, async () => {
    const jobs = await json('/jobs');
    $('jobs').replaceChildren(...jobs.slice().reverse().map(job => {
      const link = el('a', job.id.slice(0, 8), { href: '#job/' + encodeURIComponent(job.id) });
      const cancel = job.cancellable ? el('button', 'Cancel', { type: 'button' }) : '';
      if (cancel) {
        cancel.addEventListener('click', () => cancelJob(job.id));
      }
      return row([link, job.model, job.status, job.error || job.progress, job.submitted, cancel]);
    }));
  });
}

async function cancelJob(id) {
  if (await confirmed('Cancel job ' + id + '?')) {
    await json('/jobs/' + encodeURIComponent(id), { method: 'DELETE' });
  }
}

/** The form as a job spec: only the fields filled in (the others take the defaults of train --spec). */
function spec() {
  const values = {};
  new FormData($('job-form')).forEach((value, name) => {
    const text = String(value).trim();
    if (text !== '') {
      values[name] = $('job-form').elements[name].type === 'number' ? Number(text) : text;
    }
  });
  return values;
}

function updateSpec() {
  $('job-spec').textContent = JSON.stringify(spec(), null, 2);
}

$('job-form').addEventListener('input', updateSpec);

$('job-form').addEventListener('submit', async event => {
  event.preventDefault();
  $('job-form-error').textContent = '';
  const response = await api('/jobs', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec()),
  });
  const body = await response.json();
  if (response.ok) {
    location.hash = '#job/' + encodeURIComponent(body.id);
  } else {
    $('job-form-error').textContent = body.problems ? body.problems.join('; ') : body.error;
  }
});

// ---- one job, live ----------------------------------------------------------------------------------------

async function showJob(id) {
  const path = '/jobs/' + encodeURIComponent(id);
  $('job-id').textContent = id;
  ['job-model', 'job-status', 'job-progress-text', 'job-eta', 'job-data-progress', 'job-error', 'job-log']
    .forEach(field => { $(field).textContent = ''; });
  $('job-progress').value = 0;
  $('job-report').hidden = true;
  $('job-cancel').onclick = () => cancelJob(id);
  const curves = new Curves($('curves'));
  const stream = new AbortController();
  leavePage = () => stream.abort();
  const eta = new Eta();
  let logRefresh = null;
  const refreshLog = () => {
    // events arrive in bursts; one fetch of the log's tail for each burst
    logRefresh = logRefresh || setTimeout(async () => {
      logRefresh = null;
      const log = $('job-log');
      log.textContent = await (await api(path + '/log')).text();
      log.scrollTop = log.scrollHeight;
    }, 300);
  };
  const handlers = {
    status: view => {
      $('job-model').textContent = view.model;
      $('job-status').textContent = view.status;
      $('job-error').textContent = view.error || view.warning || '';
      $('job-cancel').hidden = !view.cancellable;
      if (view.status === 'SUCCEEDED') {
        $('job-progress').value = 1;
        $('job-eta').textContent = '';
        showReport(path);
      }
    },
    'epoch-finished': event => curves.add(event.metrics),
    'batch-progress': event => {
      const done = (event.epoch - 1 + event.images / event.total) / event.epochs;
      $('job-progress').value = done;
      $('job-progress-text').textContent = 'epoch ' + event.epoch + '/' + event.epochs + ', ' + event.images + '/'
        + event.total + ' images, loss ' + event.loss.toFixed(4);
      $('job-eta').textContent = eta.text(done);
    },
    'data-progress': event => {
      $('job-data-progress').textContent = event.what + ': ' + event.done + '/' + event.total;
    },
  };
  refreshLog();
  await sse(path + '/events', stream.signal, (name, data) => {
    (handlers[name] || (() => {}))(data);
    if (name !== 'batch-progress' && name !== 'data-progress') {
      refreshLog();
    }
  });
}

/**
 * Reads a Server-Sent Events stream through fetch(), which, unlike EventSource, can send the token in a header
 * (never in the URL). Calls {@code onEvent(name, data)} with each event's JSON data until the stream ends.
 */
async function sse(path, signal, onEvent) {
  const response = await api(path, { headers: { Accept: 'text/event-stream' }, signal });
  if (!response.ok) {
    throw new Error((await response.json()).error);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = 'message';
        const data = [];
        block.split('\n').forEach(line => {
          const [field, ...rest] = line.split(':');
          const text = rest.join(':').replace(/^ /, '');
          if (field === 'event') {
            name = text;
          } else if (field === 'data') {
            data.push(text);
          }
        });
        if (data.length) {
          onEvent(name, JSON.parse(data.join('\n')));
        }
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') {
      throw e;
    }
  }
}

/** Time left, from the share done so far and the time it took (measured from the first progress seen). */
class Eta {
  text(done) {
    const now = Date.now();
    if (this.start === undefined) {
      this.start = now;
      this.from = done;
      return '';
    }
    const rate = (done - this.from) / (now - this.start);
    return rate > 0 ? 'ETA ' + Math.round((1 - done) / rate / 1000) + ' s' : '';
  }
}

/** Loss and accuracy per epoch, train and validation, drawn with uPlot as the epochs finish. */
class Curves {
  constructor(container) {
    this.container = container;
    this.data = { epoch: [], loss: [], val_loss: [], accuracy: [], val_accuracy: [] };
    const chart = (target, title, name) => new uPlot({
      title, width: 460, height: 260, scales: { x: { time: false } },
      series: [{ label: 'epoch' }, { label: name, stroke: '#1f77b4', points: { show: true } },
        { label: 'val_' + name, stroke: '#ff7f0e', points: { show: true } }],
    }, [[], [], []], target);
    $('loss-curve').replaceChildren();
    $('accuracy-curve').replaceChildren();
    this.loss = chart($('loss-curve'), 'Loss', 'loss');
    this.accuracy = chart($('accuracy-curve'), 'Accuracy', 'accuracy');
    container.dataset.points = '0';
  }

  add(metrics) {
    Object.keys(this.data).forEach(key => this.data[key].push(metrics[key] ?? null));
    const d = this.data;
    this.loss.setData([d.epoch, d.loss, d.val_loss]);
    this.accuracy.setData([d.epoch, d.accuracy, d.val_accuracy]);
    this.container.dataset.points = String(d.epoch.length);
  }
}

/**
 * The job's HTML report inline. Its pictures need the token too, so they are fetched here and put in as data:
 * URLs; the report is shown in a sandboxed frame (no scripts run there).
 */
async function showReport(path) {
  const response = await api(path + '/report');
  if (!response.ok) {
    return;
  }
  const report = new DOMParser().parseFromString(await response.text(), 'text/html');
  await Promise.all([...report.querySelectorAll('img')].map(async img => {
    const picture = await api(path + '/report/' + encodeURIComponent(img.getAttribute('src')));
    img.src = await dataUrl(await picture.blob());
  }));
  const frame = $('report-frame');
  frame.setAttribute('sandbox', '');
  frame.srcdoc = '<!DOCTYPE html>' + report.documentElement.outerHTML;
  $('job-report').hidden = false;
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// ---- registry ---------------------------------------------------------------------------------------------

async function showRegistry() {
  const models = await json('/registry');
  $('models').replaceChildren(...models.map(modelView));
  if (!models.length) {
    $('models').append(el('p', 'No models yet: train one on the Jobs page.'));
  }
}

function modelView(model) {
  const section = el('section', null, { 'data-model': model.name });
  const live = model.live ? model.live.version : null;
  section.append(el('h3', model.name), el('p', live ? 'Live: version ' + live + (model.live.history.length
    ? ' (before it: ' + model.live.history.join(', ') + ')' : '') : 'No version promoted: the latest serves'));
  if (model.live && model.live.history.length) {
    const back = el('button', 'Roll back to version ' + model.live.history[model.live.history.length - 1],
      { type: 'button', class: 'rollback' });
    back.addEventListener('click', () => changeLive(model.name + ': roll back from version ' + live + ' to '
      + model.live.history[model.live.history.length - 1] + '?', '/registry/' + encodeURIComponent(model.name)
      + '/rollback'));
    section.append(back);
  }
  const table = el('table');
  table.append(el('thead'), el('tbody'));
  table.tHead.append(row(['Version', 'Created', 'Data', 'Test accuracy', 'Labels', 'Card', '']));
  model.versions.slice().reverse().forEach(version => {
    const card = version.card;
    let action = '';
    if (version.version === live) {
      action = el('span', 'live', { class: 'live' });
    } else if (card) {
      action = el('button', 'Promote', { type: 'button', class: 'promote' });
      action.addEventListener('click', () => changeLive('Make ' + card.name + ':' + card.version + ' live?'
        + ' Inference pods following the models topic switch to it.', '/registry/' + encodeURIComponent(model.name)
        + '/versions/' + version.version + '/promote'));
    }
    const details = el('details', null, { class: 'card' });
    details.append(el('summary', card ? 'sha256 ' + card.sha256.slice(0, 12) + '…' : version.problem),
      el('pre', JSON.stringify(card, null, 2)));
    const accuracy = card && card.metrics.test_accuracy;
    table.tBodies[0].append(row([version.version, card && card.createdAt, card && card.dataset,
      accuracy === undefined ? '' : accuracy.toFixed(4), card ? card.labels.join(', ') : '', details, action]));
  });
  section.append(table);
  return section;
}

async function changeLive(question, path) {
  if (!(await confirmed(question))) {
    return;
  }
  const message = $('registry-message');
  try {
    const change = await json(path, { method: 'POST' });
    message.textContent = change.live + ' is live' + (change.announced ? ', announced on ' + change.announced : '')
      + (change.warning ? '. ' + change.warning : '');
  } catch (e) {
    message.textContent = e.message;
  }
  await showRegistry();
}

// ---- try it -----------------------------------------------------------------------------------------------

async function showTry() {
  const chosen = $('try-model').value;
  const models = await json('/registry');
  $('try-model').replaceChildren(...models.map(m => el('option', m.name, { value: m.name })));
  if (models.some(m => m.name === chosen)) {
    $('try-model').value = chosen;
  }
}

async function classify(file) {
  $('try-name').textContent = file.name;
  $('try-error').textContent = '';
  $('try-result').hidden = true;
  const response = await api('/registry/' + encodeURIComponent($('try-model').value) + '/classify', {
    method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file,
  });
  const body = await response.json();
  if (!response.ok) {
    $('try-error').textContent = body.error;
    return;
  }
  $('try-served').textContent = body.model;
  $('try-input').src = body.input;
  $('try-top').replaceChildren(...body.top.map(score =>
    el('li', score.label + ': ' + (100 * score.probability).toFixed(1) + '%')));
  $('try-result').hidden = false;
}

$('try-file').addEventListener('change', () => {
  if ($('try-file').files.length) {
    classify($('try-file').files[0]);
  }
});
$('drop').addEventListener('dragover', event => {
  event.preventDefault();
  $('drop').classList.add('over');
});
$('drop').addEventListener('dragleave', () => $('drop').classList.remove('over'));
$('drop').addEventListener('drop', event => {
  event.preventDefault();
  $('drop').classList.remove('over');
  if (event.dataTransfer.files.length) {
    classify(event.dataTransfer.files[0]);
  }
});

// ---- serving at a glance ------------------------------------------------------------------------------------

async function showServing() {
  const earlier = {}; // pod -> the previous reading, for images/s
  await every(3000, async () => {
    const serving = await json('/serving');
    $('serving-error').textContent = serving.error || '';
    $('announced').replaceChildren(...serving.announced.map(a =>
      row([a.name, a.version, a.sha256.slice(0, 12) + '…', a.location])));
    const now = Date.now();
    $('pods').replaceChildren(...serving.pods.map(pod => {
      const before = earlier[pod.pod];
      earlier[pod.pod] = { at: now, predicted: pod.predicted };
      if (pod.error) {
        return row([pod.pod, pod.error]);
      }
      const rate = before ? ((pod.predicted - before.predicted) / ((now - before.at) / 1000)).toFixed(1) : '…';
      const letters = Object.entries(pod.deadLetters).map(([reason, n]) => reason + ' ' + n).join(', ');
      return row([pod.pod, pod.modelVersion ?? 'none', pod.predicted, rate,
        pod.p99Ms == null ? '' : pod.p99Ms.toFixed(0) + ' ms', pod.refused, letters]);
    }));
  });
}

route();

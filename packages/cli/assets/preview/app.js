// The galley dev preview page: plain JS, no build step, no CDN. State comes from GET /api/state and the
// server-sent events of /api/events; PDFs are drawn with pdf.js (served by galley dev) or the browser's viewer.

const $ = (selector, root = document) => root.querySelector(selector)
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

let state = null
let selected = decodeURIComponent(location.hash.slice(1)) || null
/** The open data editor: { slug, fixture } or null. */
let editing = null
let validateTimer = null
let validateSeq = 0

// ---------------------------------------------------------------- PDFs

let pdfjsPromise = null
function loadPdfjs() {
  pdfjsPromise ??= import('/vendor/pdf.mjs')
    .then((pdfjs) => {
      pdfjs.GlobalWorkerOptions.workerSrc = '/vendor/pdf.worker.mjs'
      return pdfjs
    })
    .catch(() => null)
  return pdfjsPromise
}

/** Draws the PDF at `url` into `box` (all pages), replacing what it showed only once the new one is ready. */
async function showPdf(box, url) {
  box.dataset.loading = url
  const pdfjs = await loadPdfjs()
  if (!pdfjs) {
    if (box.dataset.loading !== url) return
    box.replaceChildren(Object.assign(document.createElement('iframe'), { src: url, title: 'PDF' }))
    box.dataset.shown = url
    return
  }
  try {
    const doc = await pdfjs.getDocument({ url, isEvalSupported: false }).promise
    const canvases = []
    const width = Math.max(320, box.clientWidth - 24)
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i)
      const base = page.getViewport({ scale: 1 })
      const scale = (width / base.width) * (window.devicePixelRatio || 1)
      const viewport = page.getViewport({ scale })
      const canvas = document.createElement('canvas')
      canvas.width = Math.floor(viewport.width)
      canvas.height = Math.floor(viewport.height)
      canvas.dataset.page = String(i)
      await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise
      canvases.push(canvas)
    }
    const text = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      text.push(content.items.map((item) => item.str).join(' '))
    }
    await doc.destroy()
    // A newer PDF was asked for while this one was drawn: it wins.
    if (box.dataset.loading !== url) return
    box.replaceChildren(...canvases)
    box.dataset.shown = url
    box.dataset.pages = String(canvases.length)
    box.dataset.text = text.join('\n')
  } catch (error) {
    if (box.dataset.loading !== url) return
    box.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: `Could not show the PDF: ${error.message}` }))
  }
}

// ---------------------------------------------------------------- rendering the state

function render() {
  if (!state) return
  const templates = state.templates
  if (!selected || !templates.some((t) => t.slug === selected)) selected = templates[0]?.slug ?? null
  renderTopbar()
  renderSidebar()
  renderMain()
}

function renderTopbar() {
  const g = state.generated
  const files = g.files.map((f) => `<code>${esc(f)}</code>`).join(', ')
  const words = { pending: 'generating…', written: 'written', unchanged: 'up to date', skipped: 'kept (sources have errors)', failed: 'failed' }
  $('#generated').innerHTML = files ? `${files} ${esc(words[g.status] ?? g.status)}` : ''
  const conn = $('#connection')
  if (conn.dataset.state !== 'offline') {
    const working = state.phase !== 'ready' || templates().some((t) => t.fixtures.some((f) => f.status === 'rendering'))
    conn.dataset.state = working ? 'working' : 'live'
    $('.label', conn).textContent = state.phase === 'starting' ? 'starting' : working ? 'working' : 'live'
  }
}

const templates = () => state?.templates ?? []

function lintBadge(t) {
  const errors = t.diagnostics.filter((d) => d.severity === 'error').length
  const warnings = t.diagnostics.length - errors
  if (errors) return `<span class="badge errors" data-lint="errors">${plural(errors, 'error')}</span>`
  if (warnings) return `<span class="badge warnings" data-lint="warnings">${plural(warnings, 'warning')}</span>`
  return '<span class="badge ok" data-lint="ok">ok</span>'
}

function renderSidebar() {
  $('#templates').innerHTML = templates()
    .map(
      (t) => `<li class="${t.slug === selected ? 'selected' : ''}" data-slug="${esc(t.slug)}">
        <a href="#${encodeURIComponent(t.slug)}">
          <div class="row"><span class="tname">${esc(t.name ?? t.slug)}</span>${lintBadge(t)}</div>
          <div class="tslug">${esc(t.slug)}</div>
          <div class="fx">${t.fixtures.map((f) => `<span data-status="${esc(f.status)}">${esc(f.name)}</span>`).join('') || '<em>no fixtures</em>'}</div>
        </a>
      </li>`,
    )
    .join('')
  const global = state.diagnostics
  $('#global-diagnostics').innerHTML = global.length ? diagnosticsHtml(global) : ''
  $('#log').innerHTML = state.log
    .slice(-12)
    .map((l) => `<li class="${l.ok ? '' : 'fail'}" title="${esc(l.text)}">${esc(l.text)}</li>`)
    .join('')
}

function diagnosticsHtml(diagnostics) {
  return `<ul class="diagnostics">${diagnostics
    .map(
      (d) => `<li class="${esc(d.severity)}" data-rule="${esc(d.ruleId)}">
        <span class="sev">${d.severity === 'error' ? '✗' : '!'}</span>
        <span><span class="rule">${esc(d.ruleId)}</span><span class="where">${esc(d.file)}:${d.line}:${d.column}</span></span>
        <span class="message">${esc(d.message)}</span>
        ${d.hint ? `<span class="hint">${esc(d.hint)}</span>` : '<span></span>'}
      </li>`,
    )
    .join('')}</ul>`
}

function renderMain() {
  const main = $('#main')
  const t = templates().find((x) => x.slug === selected)
  if (!t) {
    main.innerHTML = `<p class="empty">${state.phase === 'starting' ? 'Linting, publishing and rendering…' : `No templates in ${esc(state.templatesDir)}/ yet.`}</p>`
    return
  }
  if (main.dataset.slug !== t.slug) {
    main.dataset.slug = t.slug
    main.innerHTML = `<div id="template-head"></div><div id="editor-slot"></div><div id="diagnostics"></div><div class="fixtures" id="fixtures"></div>`
    if (editing && editing.slug !== t.slug) closeEditor()
  }
  const publish = t.publish
  const version = publish.version ? `<span class="badge version" title="published version">v${publish.version}</span>` : ''
  const pub = publish.status === 'failed' ? '<span class="badge failed">publish failed</span>' : publish.status === 'skipped' ? '<span class="badge stale">not published</span>' : ''
  $('#template-head').innerHTML = `<div class="template-head"><h1>${esc(t.name ?? t.slug)}</h1>${lintBadge(t)}${version}${pub}</div>
    <div class="template-file">${esc(t.file)}</div>`
  $('#diagnostics').innerHTML = t.diagnostics.length ? diagnosticsHtml(t.diagnostics) : ''

  const list = $('#fixtures')
  const names = new Set(t.fixtures.map((f) => f.name))
  for (const card of [...list.children]) if (!names.has(card.dataset.fixture)) card.remove()
  if (t.fixtures.length === 0) list.innerHTML = `<p class="empty">No fixtures: add ${esc(t.file.replace(/template\.yaml$/, 'fixtures/<name>.json'))}.</p>`
  else $('.empty', list)?.remove()
  t.fixtures.forEach((f, i) => {
    let card = [...list.children].find((c) => c.dataset.fixture === f.name)
    if (!card) {
      card = document.createElement('article')
      card.className = 'fixture'
      card.dataset.fixture = f.name
      card.innerHTML = `<div class="fixture-head"><span class="fname"></span><span class="status"></span><span class="ms"></span>
        <button type="button" data-action="edit">Edit data</button></div>
        <div class="fixture-error" hidden></div>
        <div class="pdf"><p class="empty">Not rendered yet.</p></div>`
    }
    if (list.children[i] !== card) list.insertBefore(card, list.children[i] ?? null)
    card.dataset.status = f.status
    card.dataset.version = String(f.version)
    $('.fname', card).textContent = f.name
    $('.fname', card).title = f.file
    $('.status', card).innerHTML = `<span class="badge ${esc(f.status)}">${esc(f.status)}</span>${f.stale ? ' <span class="badge stale" title="The PDF shows an older version of the sources">stale</span>' : ''}`
    $('.ms', card).textContent = f.ms != null && f.status === 'succeeded' ? `${f.ms} ms` : ''
    const err = $('.fixture-error', card)
    err.hidden = !f.error
    err.textContent = f.error ?? ''
    const box = $('.pdf', card)
    if (f.pdf && box.dataset.loading !== f.pdf) void showPdf(box, f.pdf)
  })
}

// ---------------------------------------------------------------- the data editor

function openEditor(slug, fixtureName) {
  closeEditor()
  editing = { slug, fixture: fixtureName }
  const node = $('#editor-template').content.firstElementChild.cloneNode(true)
  $('#editor-slot').replaceChildren(node)
  $('.editor-target', node).textContent = `${slug}/${fixtureName}`
  $('#editor-name').value = fixtureName
  resetEditor()
  node.scrollIntoView({ block: 'nearest' })
}

function closeEditor() {
  editing = null
  $('#editor')?.remove()
}

async function resetEditor() {
  if (!editing) return
  const t = templates().find((x) => x.slug === editing.slug)
  const f = t?.fixtures.find((x) => x.name === editing.fixture)
  const res = await fetch(`/api/fixture?slug=${encodeURIComponent(editing.slug)}&name=${encodeURIComponent(editing.fixture)}`)
  const body = await res.json()
  $('#editor-json').value = res.ok ? `${JSON.stringify(body.data, null, 2)}\n` : '{\n}\n'
  if (!res.ok) setMessage(body.message ?? `Could not read ${f?.file ?? editing.fixture}.`, false)
  scheduleValidate(0)
}

function setMessage(text, ok) {
  const m = $('#editor-message')
  if (!m) return
  m.textContent = text
  m.className = `editor-message ${ok === true ? 'ok' : ok === false ? 'fail' : ''}`
}

/** The editor's JSON, or null (with the parse error shown). */
function editedData() {
  const text = $('#editor-json').value
  try {
    return { ok: true, data: JSON.parse(text) }
  } catch (error) {
    return { ok: false, message: error.message }
  }
}

function scheduleValidate(delay = 250) {
  clearTimeout(validateTimer)
  validateTimer = setTimeout(validate, delay)
}

async function validate() {
  if (!editing) return
  const box = $('#editor-validation')
  const parsed = editedData()
  if (!parsed.ok) {
    box.className = 'validation invalid'
    box.innerHTML = `<div class="rejected"><h4>Not JSON</h4>${esc(parsed.message)}</div>`
    return
  }
  const seq = ++validateSeq
  const res = await fetch('/api/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slug: editing.slug, data: parsed.data }) })
  const result = await res.json()
  if (seq !== validateSeq || !box.isConnected) return
  if (!res.ok) {
    box.className = 'validation invalid'
    box.innerHTML = `<div class="rejected">${esc(result.message)}</div>`
    return
  }
  const parts = []
  if (!result.ok) {
    const items = [
      ...result.issues.formErrors.map((m) => `<li>${esc(m)}</li>`),
      ...Object.entries(result.issues.fieldErrors).map(([path, messages]) => `<li data-path="${esc(path)}"><code>${esc(path)}</code>: ${esc(messages.join('; '))}</li>`),
    ]
    parts.push(`<div class="rejected"><h4>The server would reject this data</h4><ul>${items.join('')}</ul></div>`)
  }
  if (result.stripped.length) {
    parts.push(`<div class="stripped"><h4>Keys the server would strip (not in the manifest)</h4><ul>${result.stripped.map((k) => `<li data-stripped="${esc(k)}"><code>${esc(k)}</code></li>`).join('')}</ul></div>`)
  }
  if (result.ok && !result.stripped.length) parts.push('✓ The server accepts this data as it is.')
  else if (result.ok) parts.unshift('<div>✓ Accepted, but some keys would be dropped:</div>')
  box.className = `validation ${!result.ok ? 'invalid' : result.stripped.length ? 'warn' : 'ok'}`
  box.innerHTML = parts.join('')
}

async function renderEdit() {
  const parsed = editedData()
  if (!parsed.ok) return setMessage(`Not JSON: ${parsed.message}`, false)
  const button = $('[data-action="render-edit"]')
  button.disabled = true
  setMessage('Rendering…')
  try {
    const res = await fetch('/api/render', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slug: editing.slug, data: parsed.data }) })
    const result = await res.json()
    if (!res.ok) return setMessage(`Render failed: ${result.error ?? result.message}`, false)
    setMessage(`Rendered in ${result.ms} ms (not saved).`, true)
    await showPdf($('#editor-pdf'), result.pdf)
  } finally {
    button.disabled = false
  }
}

async function saveEdit() {
  const parsed = editedData()
  if (!parsed.ok) return setMessage(`Not JSON: ${parsed.message}`, false)
  const name = $('#editor-name').value.trim()
  const send = (overwrite) =>
    fetch('/api/fixtures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slug: editing.slug, name, data: parsed.data, overwrite }) })
  // Saving over the fixture being edited needs no question; over another one it does.
  let res = await send(name === editing.fixture)
  let result = await res.json()
  if (res.status === 409) {
    if (!window.confirm(`${result.file} already exists. Overwrite it?`)) return setMessage('Not saved.', false)
    res = await send(true)
    result = await res.json()
  }
  if (!res.ok) return setMessage(result.message ?? 'Not saved.', false)
  editing.fixture = name
  $('.editor-target').textContent = `${editing.slug}/${name}`
  setMessage(`Saved ${result.file}; galley dev renders it now.`, true)
}

// ---------------------------------------------------------------- wiring

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]')
  if (!button) return
  const action = button.dataset.action
  if (action === 'edit') openEditor(selected, button.closest('.fixture').dataset.fixture)
  else if (action === 'close-editor') closeEditor()
  else if (action === 'render-edit') void renderEdit()
  else if (action === 'save-edit') void saveEdit()
  else if (action === 'reset-edit') void resetEditor()
})
document.addEventListener('input', (event) => {
  if (event.target.id === 'editor-json') scheduleValidate()
})
window.addEventListener('hashchange', () => {
  selected = decodeURIComponent(location.hash.slice(1)) || null
  render()
})

function connect() {
  const events = new EventSource('/api/events')
  events.addEventListener('state', (event) => {
    state = JSON.parse(event.data)
    $('#connection').dataset.state = 'live'
    render()
  })
  events.addEventListener('error', () => {
    $('#connection').dataset.state = 'offline'
    $('#connection .label').textContent = 'disconnected — retrying'
  })
}

fetch('/api/state')
  .then((res) => res.json())
  .then((snapshot) => {
    state ??= snapshot
    render()
  })
  .catch(() => {})
connect()

// The todo-list page over the /tasks API, with fetch and no framework. Task text is only ever set with
// textContent, never parsed as HTML. The page shows only what the server confirmed: every change is a merge
// patch (or a delete) sent with If-Match, the ETag this page last saw for that task, so a change made meanwhile
// by someone else is never overwritten; the page then reloads the task and says what changed.
(function () {
  "use strict";

  const PAGE_SIZE = 100;
  const PRIORITIES = ["none", "low", "normal", "high", "urgent"];
  const FIELDS = ["title", "description", "priority", "completed", "due_date"];
  const FILTERS = { all: () => true, active: (task) => !task.completed, completed: (task) => task.completed };
  const byId = (id) => document.getElementById(id);
  const form = byId("new-task");
  const addStatus = byId("add-status");
  const status = byId("status");
  const card = byId("tasks-card");
  const list = byId("task-list");
  const toggleAll = byId("toggle-all");
  const loadMore = byId("load-more");
  const clearCompleted = byId("clear-completed");
  const tokenForm = byId("token-form");
  const tokenStatus = byId("token-status");
  const entries = new Map(); // id -> {task, etag}: the server's truth, in creation order
  let total = 0;
  let openTotal = null; // tasks not done on the server, every page (countOpen)
  let filter = "all";
  let loaded = false;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---- the API token (--api_token): asked for, kept in this tab's sessionStorage, sent with every change ----

  const TOKEN_KEY = "api-token";
  const tokenStore = {
    get() { try { return sessionStorage.getItem(TOKEN_KEY); } catch (blocked) { return null; } },
    set(value) { try { sessionStorage.setItem(TOKEN_KEY, value); } catch (blocked) { /* kept in memory only */ } },
    clear() { try { sessionStorage.removeItem(TOKEN_KEY); } catch (blocked) { /* nothing kept */ } },
  };
  const tokenRequired = document.querySelector("main").dataset.tokenRequired === "yes";
  let token = tokenRequired ? tokenStore.get() : null;
  let afterToken = null; // where focus goes once a token is given: the Retry of what the 401 refused

  // The server refused a change (401): the token form is shown, saying why, and focus goes to it.
  function askForToken(refused, retryButton) {
    token = null;
    tokenStore.clear();
    fillMessage(tokenStatus, refused ? "The server refused that token. Enter it again." : "");
    tokenForm.hidden = false;
    afterToken = retryButton;
    tokenForm.elements.token.focus();
  }

  function useToken(event) {
    event.preventDefault();
    const value = tokenForm.elements.token.value.trim();
    if (!value) {
      tokenForm.elements.token.focus();
      return;
    }
    token = value;
    tokenStore.set(value);
    tokenForm.reset();
    fillMessage(tokenStatus, "");
    tokenForm.hidden = true;
    (afterToken && afterToken.isConnected ? afterToken : form.elements.title).focus();
    afterToken = null;
  }

  // One API call: {data, headers}, or an ApiError with the server's message.
  async function api(method, path, body, etag) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
    if (etag) headers["If-Match"] = etag;
    const sentToken = method === "GET" ? null : token;
    if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (networkError) {
      throw new ApiError(0, "the server cannot be reached; check that it is running");
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (parseError) {
      data = null;
    }
    if (response.status === 401) {
      const error = new ApiError(401, "the server needs its API token: enter it above, then Retry (HTTP 401)");
      error.refusedToken = sentToken !== null;
      throw error;
    }
    if (!response.ok) {
      const reason = data && data.message ? data.message : response.statusText || "unexpected answer";
      throw new ApiError(response.status, `${reason} (HTTP ${response.status})`);
    }
    return { data, headers: response.headers };
  }

  const taskPath = (id) => `/tasks/${encodeURIComponent(id)}`;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(text, className, label, onClick) {
    const node = element("button", className, text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    node.addEventListener("click", onClick);
    return node;
  }

  // ---- dates: a due date is a calendar day, stored as the epoch seconds of its UTC midnight ------------------

  const dayToEpoch = (day) => (day ? Date.parse(`${day}T00:00:00Z`) / 1000 : null);
  const epochToDay = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);
  const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

  function today() { // the person's own calendar day, as YYYY-MM-DD
    const now = new Date();
    return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
  }

  function dueLabel(task) {
    const day = epochToDay(task.due_date);
    const shown = dayFormat.format(new Date(task.due_date * 1000));
    const now = today();
    if (!task.completed && day < now) return { text: `Overdue: ${shown}`, overdue: true, day };
    return { text: day === now ? `Due today (${shown})` : `Due ${shown}`, overdue: false, day };
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  function itemOf(id) {
    return list.querySelector(`li[data-id="${CSS.escape(id)}"]`);
  }

  function viewItem(id, task) {
    const item = element("li", task.completed ? "task done" : "task");
    item.dataset.id = id;
    const toggle = element("input", "toggle");
    toggle.type = "checkbox";
    toggle.checked = task.completed;
    toggle.setAttribute("aria-label", `Done: ${task.title}`);
    toggle.addEventListener("change", () => {
      toggle.checked = task.completed; // shown as the server confirms it
      change(id, { completed: !task.completed }, "toggle");
    });
    const text = element("div", "text");
    const title = element("span", "title", task.title);
    title.addEventListener("dblclick", () => edit(id));
    text.appendChild(title);
    if (task.description) text.appendChild(element("span", "description", task.description));
    const meta = element("div", "meta");
    if (task.priority && task.priority !== "none") {
      meta.appendChild(element("span", `badge priority-${task.priority}`, `${task.priority} priority`));
    }
    if (task.due_date !== undefined && task.due_date !== null) {
      const due = dueLabel(task);
      const time = element("time", due.overdue ? "due overdue" : "due", due.text);
      time.dateTime = due.day;
      meta.appendChild(time);
    }
    const actions = element("div", "actions");
    actions.append(button("Edit", "edit secondary", `Edit “${task.title}”`, () => edit(id)),
      button("Delete", "delete secondary", `Delete “${task.title}”`, () => remove(id)));
    item.append(toggle, text, meta, actions);
    return item;
  }

  function prioritySelect(selected) {
    const select = element("select");
    for (const priority of PRIORITIES) select.add(new Option(priority, priority, false, priority === selected));
    return select;
  }

  function labelled(text, control) {
    const label = element("label", "field", text);
    label.appendChild(control);
    return label;
  }

  // The task as a form: Enter or leaving the form saves, Escape cancels. `draft` is what the person typed.
  function editItem(id, draft) {
    const item = element("li", "task editing");
    item.dataset.id = id;
    const editor = element("form", "editor");
    editor.setAttribute("aria-label", `Edit “${entries.get(id).task.title}”`);
    const title = element("input", "edit-title");
    title.value = draft.title;
    title.maxLength = 200;
    const description = element("textarea", "edit-description");
    description.rows = 2;
    description.value = draft.description || "";
    const priority = prioritySelect(draft.priority || "none");
    const due = element("input", "edit-due");
    due.type = "date";
    due.value = draft.due_date === null || draft.due_date === undefined ? "" : epochToDay(draft.due_date);
    const row = element("div", "row");
    row.append(labelled("Priority ", priority), labelled("Due ", due),
      button("Clear due date", "clear-due secondary", null, () => { due.value = ""; due.focus(); }));
    const buttons = element("div", "row");
    const save = element("button", "save", "Save");
    save.type = "submit";
    buttons.append(save, button("Cancel", "cancel secondary", null, () => closeEditor(id)));
    editor.append(labelled("Title ", title), labelled("Description ", description), row, buttons);
    const current = () => ({ title: title.value.trim(), description: description.value.trim() || null,
      priority: priority.value, due_date: dayToEpoch(due.value) });
    let done = false;
    const submit = () => {
      if (done) return;
      done = true;
      saveEdit(id, current());
    };
    editor.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); done = true; closeEditor(id); }
    });
    editor.addEventListener("focusout", () => setTimeout(() => { // where focus went, once it got there
      if (!editor.contains(document.activeElement) && document.hasFocus()) submit();
    }));
    item.appendChild(editor);
    return item;
  }

  function replaceItem(id, item) {
    const old = itemOf(id);
    if (!old) return;
    if (item) old.replaceWith(item);
    else old.remove();
  }

  function visible(id) {
    const entry = entries.get(id);
    return entry !== undefined && FILTERS[filter](entry.task);
  }

  function render() {
    const start = performance.now();
    const shown = [...entries].filter(([id]) => visible(id));
    list.replaceChildren(...shown.map(([id, entry]) => viewItem(id, entry.task)));
    updateSummary();
    performance.measure("render-tasks", { start });
  }

  function updateSummary() {
    const tasks = [...entries.values()].map((entry) => entry.task);
    const open = tasks.filter((task) => !task.completed).length;
    const left = entries.size >= total ? open : openTotal; // null: not counted yet
    const shownCount = list.children.length;
    byId("loading").hidden = true;
    byId("left").textContent = left === null ? "" : `${left} ${left === 1 ? "item" : "items"} left`;
    byId("shown").textContent = total > entries.size ? `Showing ${entries.size} of ${total}` : "";
    loadMore.hidden = entries.size >= total;
    clearCompleted.hidden = open === tasks.length;
    toggleAll.checked = tasks.length > 0 && open === 0;
    toggleAll.disabled = tasks.length === 0;
    const empty = byId("empty");
    empty.hidden = shownCount > 0;
    empty.textContent = entries.size === 0 ? "Nothing to do. Add a task above." : `No ${filter} tasks.`;
    for (const link of document.querySelectorAll("[data-filter]")) {
      if (link.dataset.filter === filter) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  // While the list is longer than what is loaded, what is left is the server's count: the X-Total-Count of
  // ?completed=false, asked again after each change; calls during a request share one more after it.
  let counting = false;
  let countAgain = false;
  async function countOpen() {
    if (entries.size >= total) return;
    if (counting) { countAgain = true; return; }
    counting = true;
    do {
      countAgain = false;
      try {
        openTotal = Number((await api("GET", "/tasks?completed=false&limit=1")).headers.get("X-Total-Count"));
      } catch (error) { /* the last count stays; the list says what failed */ }
    } while (countAgain);
    counting = false;
    updateSummary();
  }

  // ---- messages next to what failed ----------------------------------------------------------------------

  // Fill a message box (role=alert) with `text` and, when `retry` is given, a Retry button (returned).
  function fillMessage(box, text, retry) {
    box.replaceChildren(element("span", null, text));
    box.hidden = !text;
    if (!text || !retry) return null;
    const retryButton = button("Retry", "retry secondary", null, () => { fillMessage(box, ""); retry(); });
    box.appendChild(retryButton);
    return retryButton;
  }

  function messageNextTo(container, text, retry) {
    const box = element("div", "message");
    box.setAttribute("role", "alert");
    container.appendChild(box);
    return fillMessage(box, text, retry);
  }

  const setStatus = (text, retry) => fillMessage(status, text, retry);

  const describe = (field, value) => (field === "due_date" ? dueLabel({ due_date: value, completed: true }).text
    : `${field} “${value}”`);

  function changesBetween(before, after) {
    const changes = [];
    for (const field of FIELDS) {
      const was = before[field] ?? null;
      const now = after[field] ?? null;
      if (was === now) continue;
      if (field === "completed") changes.push(now ? "marked done" : "marked not done");
      else if (now === null) changes.push(`${field.replace("_", " ")} removed`);
      else changes.push(field === "due_date" ? describe(field, now) : `${field} is now “${now}”`);
    }
    return changes.join("; ");
  }

  // ---- talking to the server -----------------------------------------------------------------------------

  class Conflict extends Error {}

  // The task as the server has it now, with its ETag; a Conflict if it differs from what the page showed.
  async function reload(id) {
    let answer;
    try {
      answer = await api("GET", taskPath(id));
    } catch (error) {
      if (error.status === 404) {
        const { title } = entries.get(id).task;
        entries.delete(id);
        total -= 1;
        throw new Conflict(`“${title}” was deleted elsewhere meanwhile.`);
      }
      throw error;
    }
    const before = entries.get(id).task;
    entries.set(id, { task: answer.data, etag: answer.headers.get("ETag") });
    const changes = changesBetween(before, answer.data);
    if (changes) throw new Conflict(`Changed elsewhere meanwhile: ${changes}. Your change was not saved.`);
  }

  // A write with If-Match. On 412 the task is reloaded: a Conflict says what changed; if nothing visible did,
  // the write is sent once more with the new ETag (it still applies to what the person saw).
  async function send(id, method, body) {
    for (let attempt = 0; ; attempt += 1) {
      if (!entries.get(id).etag) await reload(id);
      try {
        return await api(method, taskPath(id), body, entries.get(id).etag);
      } catch (error) {
        if (error.status !== 412 || attempt > 0) throw error;
        entries.get(id).etag = null;
      }
    }
  }

  // After a failed action: the task as the server last said (with the person's draft if they were editing),
  // the message next to it, and Retry when trying again may help (not for a refused value: 400).
  function failed(id, action, error, retry, draft) {
    const wasHere = focusedOn(id);
    countOpen();
    if (!entries.has(id)) { // deleted elsewhere
      rememberNeighbour(id);
      replaceItem(id, null);
      updateSummary();
      setStatus(error.message);
      if (wasHere) focusNeighbour();
      return;
    }
    replaceItem(id, draft ? editItem(id, draft) : viewItem(id, entries.get(id).task));
    updateSummary();
    const item = itemOf(id);
    if (!item) return;
    const text = error instanceof Conflict ? error.message : `Could not ${action}: ${error.message}`;
    const retryable = error instanceof Conflict || error.status === 401 || !(error.status >= 400 && error.status < 500);
    const editor = item.querySelector("form");
    if (editor && retryable) retry = () => editor.requestSubmit(); // what the person has typed by then
    const retryButton = messageNextTo(editor || item, text, retryable ? retry : null);
    if (error.status === 401) askForToken(error.refusedToken, retryButton);
    else if (wasHere) (retryButton || item.querySelector(".edit-title") || item.querySelector(".toggle")).focus();
  }

  // Whether the person is at this task: focus inside it (or lost to the page when a control was replaced).
  const focusedOn = (id) => itemOf(id)?.contains(document.activeElement) || document.activeElement === document.body;

  // One change to one task, as a merge patch; afterwards focus returns to the `focusOn` control of the task
  // when the person was there, or to its neighbour when the task left the filtered view.
  async function change(id, patch, focusOn, draft) {
    itemOf(id)?.setAttribute("aria-busy", "true");
    try {
      const answer = await send(id, "PATCH", patch);
      entries.set(id, { task: answer.data, etag: answer.headers.get("ETag") });
    } catch (error) {
      failed(id, "save the change", error, () => change(id, patch, focusOn, draft), draft);
      return;
    }
    countOpen();
    const wasHere = focusOn && focusedOn(id);
    if (!visible(id)) rememberNeighbour(id);
    replaceItem(id, visible(id) ? viewItem(id, entries.get(id).task) : null);
    updateSummary();
    if (!wasHere) return;
    if (visible(id)) itemOf(id).querySelector(`.${focusOn}`).focus();
    else focusNeighbour();
  }

  // After a task leaves the list: focus the next one (or the previous, or the new-task title).
  let neighbour = null;
  function rememberNeighbour(id) {
    const item = itemOf(id);
    neighbour = item ? item.nextElementSibling || item.previousElementSibling : null;
  }

  function focusNeighbour() {
    const target = neighbour && neighbour.isConnected ? neighbour.querySelector(".toggle, .edit-title") : null;
    neighbour = null;
    (target || form.elements.title).focus();
  }

  async function remove(id) {
    try {
      await send(id, "DELETE");
    } catch (error) {
      failed(id, "delete the task", error, () => remove(id));
      return;
    }
    const wasHere = focusedOn(id);
    rememberNeighbour(id);
    entries.delete(id);
    total -= 1;
    countOpen();
    replaceItem(id, null);
    updateSummary();
    if (wasHere) focusNeighbour();
  }

  function edit(id) {
    const task = entries.get(id).task;
    replaceItem(id, editItem(id, task));
    itemOf(id).querySelector(".edit-title").focus();
  }

  function closeEditor(id) {
    replaceItem(id, viewItem(id, entries.get(id).task));
    itemOf(id).querySelector(".edit").focus();
  }

  function saveEdit(id, draft) {
    const task = entries.get(id).task;
    const patch = {};
    for (const field of ["title", "description", "priority", "due_date"]) {
      if ((task[field] ?? null) !== (draft[field] ?? null)) patch[field] = draft[field];
    }
    if (Object.keys(patch).length === 0) {
      const hadFocus = itemOf(id).contains(document.activeElement);
      replaceItem(id, viewItem(id, task));
      if (hadFocus) itemOf(id).querySelector(".edit").focus();
      return;
    }
    change(id, patch, "edit", draft);
  }

  const sameTask = (a, b) => FIELDS.every((field) => (a[field] ?? null) === (b[field] ?? null));

  // A page of the list from `offset`; from 0 it replaces what is shown. An ETag already seen is kept for a
  // task that still reads the same.
  async function load(offset, limit = PAGE_SIZE) {
    try {
      const { data, headers } = await api("GET", `/tasks?limit=${limit}&offset=${offset}`);
      const seen = new Map(entries);
      if (offset === 0) entries.clear();
      for (const [id, task] of Object.entries(data || {})) {
        const old = seen.get(id);
        entries.set(id, { task, etag: old && sameTask(old.task, task) ? old.etag : null });
      }
      total = Number(headers.get("X-Total-Count")) || entries.size;
      countOpen();
      loaded = true;
      card.hidden = false;
      setStatus("");
      render();
      return true;
    } catch (error) {
      byId("loading").hidden = true;
      card.hidden = entries.size === 0;
      setStatus(`Could not load the tasks: ${error.message}`, () => load(offset));
      status.querySelector(".retry")?.focus();
      return false;
    }
  }

  // ---- the page's own controls ---------------------------------------------------------------------------

  async function addTask(event) {
    event.preventDefault();
    const title = form.elements.title.value.trim();
    fillMessage(addStatus, "");
    if (!title) {
      form.elements.title.focus();
      return;
    }
    const task = { title, priority: form.elements.priority.value };
    const description = form.elements.description.value.trim();
    if (description) task.description = description;
    const due = dayToEpoch(form.elements.due_date.value);
    if (due !== null) task.due_date = due;
    try {
      await api("POST", "/tasks", task);
    } catch (error) {
      const refused = error.status >= 400 && error.status < 500 && error.status !== 401;
      const retry = fillMessage(addStatus, `Could not add the task: ${error.message}`,
        refused ? null : () => form.requestSubmit());
      if (error.status === 401) askForToken(error.refusedToken, retry);
      else (retry || form.elements.title).focus();
      return;
    }
    form.reset();
    form.elements.title.focus();
    await load(0, Math.min(1000, Math.max(PAGE_SIZE, entries.size + 1))); // what was shown, and the new task
  }

  function applyFilter() {
    const name = location.hash.replace(/^#\/?/, "");
    filter = Object.hasOwn(FILTERS, name) ? name : "all";
    if (loaded) render(); // before the first answer, "Loading tasks…" stays
  }

  toggleAll.addEventListener("change", async () => {
    const completed = toggleAll.checked;
    toggleAll.checked = !completed;
    const ids = [...entries].filter(([, entry]) => entry.task.completed !== completed).map(([id]) => id);
    await Promise.all(ids.map((id) => change(id, { completed })));
    toggleAll.focus();
  });

  clearCompleted.addEventListener("click", async () => {
    const ids = [...entries].filter(([, entry]) => entry.task.completed).map(([id]) => id);
    await Promise.all(ids.map((id) => remove(id)));
    (clearCompleted.hidden ? toggleAll.disabled ? form.elements.title : toggleAll : clearCompleted).focus();
  });

  loadMore.addEventListener("click", async () => {
    const before = entries.size;
    if (await load(before)) {
      const first = [...entries.keys()].slice(before).find(visible);
      (first ? itemOf(first).querySelector(".toggle") : loadMore.hidden ? toggleAll : loadMore).focus();
    }
  });

  for (const priority of PRIORITIES) form.elements.priority.add(new Option(priority, priority));
  form.addEventListener("submit", addTask);
  tokenForm.addEventListener("submit", useToken);
  tokenForm.hidden = token !== null || !tokenRequired;
  window.addEventListener("hashchange", applyFilter);
  form.hidden = false;
  card.hidden = false;
  applyFilter();
  load(0);
})();

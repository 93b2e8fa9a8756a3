// The todo-list page: lists, adds, completes and deletes tasks through the /tasks API with fetch.
// No framework. Task text is only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";

  const PAGE_SIZE = 1000; // the API's largest page
  const list = document.getElementById("task-list");
  const form = document.getElementById("new-task");
  const status = document.getElementById("status");
  const loading = document.getElementById("loading");
  const empty = document.getElementById("empty");
  const summary = document.getElementById("summary");
  const card = document.getElementById("tasks-card");

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // One API call; resolves to the parsed JSON body (or null), rejects with a readable ApiError.
  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (networkError) {
      throw new ApiError(0, "the server cannot be reached; check that it is running");
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (parseError) {
        data = null;
      }
    }
    if (!response.ok) {
      const reason = data && data.message ? data.message : response.statusText || "unexpected answer";
      throw new ApiError(response.status, `${reason} (HTTP ${response.status})`);
    }
    return { data, headers: response.headers };
  }

  function showError(action, error) {
    status.textContent = `Could not ${action}: ${error.message}`;
    status.hidden = false;
  }

  function clearError() {
    status.hidden = true;
    status.textContent = "";
  }

  // Dates travel as epoch seconds (UTC midnight of the chosen day) and show as YYYY-MM-DD.
  function dayToEpoch(day) {
    return day ? Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) : null;
  }

  function epochToDay(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 10);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderTask(id, task) {
    const item = element("li", task.completed ? "task done" : "task");
    item.dataset.id = id;

    const toggle = element("input", "toggle");
    toggle.type = "checkbox";
    toggle.checked = task.completed;
    toggle.setAttribute("aria-label", `Mark “${task.title}” as ${task.completed ? "not done" : "done"}`);
    toggle.addEventListener("change", () => setCompleted(id, task, toggle.checked, toggle));

    const body = element("div", "task-body");
    body.appendChild(element("span", "title", task.title));
    if (task.description) body.appendChild(element("span", "description", task.description));

    const meta = element("div", "meta");
    if (task.priority && task.priority !== "none") {
      meta.appendChild(element("span", `badge priority-${task.priority}`, task.priority));
    }
    if (task.due_date !== undefined && task.due_date !== null) {
      const overdue = !task.completed && task.due_date * 1000 < Date.now() - 86400000;
      meta.appendChild(element("span", overdue ? "due overdue" : "due", `due ${epochToDay(task.due_date)}`));
    }

    const remove = element("button", "delete", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete “${task.title}”`);
    remove.addEventListener("click", () => deleteTask(id, remove));

    item.append(toggle, body, meta, remove);
    return item;
  }

  function render(tasks, total) {
    const entries = Object.entries(tasks);
    list.replaceChildren(...entries.map(([id, task]) => renderTask(id, task)));
    loading.hidden = true;
    empty.hidden = entries.length > 0;
    const done = entries.filter(([, task]) => task.completed).length;
    summary.hidden = entries.length === 0;
    summary.textContent = total > entries.length
      ? `Showing ${entries.length} of ${total} tasks.`
      : `${done} of ${entries.length} done.`;
  }

  async function load() {
    try {
      const { data, headers } = await api("GET", `/tasks?limit=${PAGE_SIZE}`);
      render(data || {}, Number(headers.get("X-Total-Count")) || 0);
      card.hidden = false;
      clearError();
    } catch (error) {
      loading.hidden = true;
      card.hidden = list.children.length === 0; // keep what was shown; no empty box under the message
      showError("load the tasks", error);
    }
  }

  async function addTask(event) {
    event.preventDefault();
    const title = form.elements.title.value.trim();
    if (!title) {
      form.elements.title.focus();
      return;
    }
    const task = { title, priority: form.elements.priority.value };
    const description = form.elements.description.value.trim();
    if (description) task.description = description;
    const due = dayToEpoch(form.elements.due_date.value);
    if (due !== null) task.due_date = due;
    const button = document.getElementById("add-task");
    button.disabled = true;
    try {
      await api("POST", "/tasks", task);
      form.reset();
      form.elements.title.focus();
      await load();
    } catch (error) {
      showError("add the task", error);
    } finally {
      button.disabled = false;
    }
  }

  async function setCompleted(id, task, completed, control) {
    control.disabled = true;
    try {
      await api("PUT", `/tasks/${encodeURIComponent(id)}`, { ...task, completed });
      await load();
    } catch (error) {
      control.checked = !completed;
      control.disabled = false;
      showError("update the task", error);
    }
  }

  async function deleteTask(id, control) {
    control.disabled = true;
    try {
      await api("DELETE", `/tasks/${encodeURIComponent(id)}`);
      await load();
    } catch (error) {
      control.disabled = false;
      showError("delete the task", error);
    }
  }

  form.addEventListener("submit", addTask);
  load();
})();

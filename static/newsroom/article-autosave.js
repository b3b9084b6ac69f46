/* Autosave of the article form (articles/admin/staged_changes.py).
 *
 * Work in progress goes to the server 10 seconds after the first unsaved change, and again
 * when the tab is hidden or closed, never to the live article: for a saved article it is
 * staged beside the row; on the add form the first autosave that validates creates the draft,
 * and this page then carries on as that draft's form. Each answer carries the article's new
 * version, written into the form's expected_version, so the person's own Save is not taken
 * for someone else's; a real conflict stops autosave and says so.
 *
 * Loaded as a file (the admin's Content-Security-Policy, see smartchunks/settings.py); the
 * page says where to send it by the status element's data-autosave-url.
 */
(function () {
  "use strict";

  var DELAY_MS = 10000;
  // Browsers refuse keepalive requests over 64 KiB; a longer form goes as a plain request.
  var KEEPALIVE_LIMIT = 60000;

  function start() {
    var status = document.getElementById("autosave-status");
    var form = document.getElementById("article_form");
    if (!status || !form || !window.fetch || !window.FormData) {
      return;
    }
    var url = status.getAttribute("data-autosave-url");
    var dirty = false;
    var timer = null;
    var inFlight = null;
    var submitting = false;
    var stopped = false;
    var sentWhileHidden = false;

    function show(text, state) {
      status.textContent = text;
      status.setAttribute("data-state", state || "");
    }

    function field(name) {
      return form.querySelector('input[name="' + name + '"]');
    }

    function editorsToFields() {
      var editors = window.CKEDITOR && window.CKEDITOR.instances;
      if (!editors) {
        return;
      }
      Object.keys(editors).forEach(function (name) {
        editors[name].updateElement();
      });
    }

    // The form as Save would post it, without files (a new hero image waits for Save).
    function body() {
      editorsToFields();
      var data = new FormData(form);
      var names = [];
      data.forEach(function (value, name) {
        if (typeof value !== "string") {
          names.push(name);
        }
      });
      names.forEach(function (name) {
        data.delete(name);
      });
      return data;
    }

    function size(data) {
      var total = 0;
      data.forEach(function (value, name) {
        total += name.length + String(value).length + 64;
      });
      return total;
    }

    function changed() {
      if (stopped || submitting) {
        return;
      }
      dirty = true;
      if (!timer) {
        timer = window.setTimeout(save, DELAY_MS);
      }
      if (!inFlight) {
        show("Unsaved changes", "pending");
      }
    }

    function answered(response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (answer) {
          if (!answer) {
            dirty = true;
            show("Not autosaved: the server’s answer was not understood. Your text is still here.", "error");
            return;
          }
          if (response.status === 409 || response.status === 403 || response.status === 404) {
            stopped = true;
            show(answer.message, "error");
            return;
          }
          if (!response.ok) {
            dirty = true;
            show(answer.message || "Not autosaved.", "error");
            return;
          }
          var version = field("expected_version");
          if (version && answer.version !== undefined) {
            version.value = answer.version;
          }
          if (answer.created) {
            // The add form now belongs to the draft it created: Save updates that draft.
            url = answer.autosave_url;
            form.setAttribute("action", answer.change_url);
            status.setAttribute("data-autosave-url", url);
            window.history.replaceState(null, "", answer.change_url);
          }
          show(answer.message, answer.saved ? "saved" : "waiting");
        });
    }

    function send(options) {
      var data = body();
      dirty = false;
      var init = {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": (field("csrfmiddlewaretoken") || {}).value || "", Accept: "application/json" },
      };
      if (options && options.keepalive && size(data) < KEEPALIVE_LIMIT) {
        init.keepalive = true;
      }
      inFlight = window
        .fetch(url, init)
        .then(answered)
        .catch(function () {
          dirty = true;
          show("Not autosaved: the server could not be reached. Your text is still here.", "error");
        })
        .then(function () {
          inFlight = null;
          if (dirty && !stopped && !submitting && !timer) {
            timer = window.setTimeout(save, DELAY_MS);
          }
        });
      return inFlight;
    }

    function save() {
      timer = null;
      if (!dirty || stopped || submitting) {
        return;
      }
      if (inFlight) {
        inFlight.then(save);
        return;
      }
      show("Autosaving…", "pending");
      send();
    }

    // Leaving (tab hidden, closed or navigated away): send what is unsaved now.
    function flush() {
      if (!dirty || stopped || submitting || inFlight) {
        return;
      }
      window.clearTimeout(timer);
      timer = null;
      sentWhileHidden = true;
      send({ keepalive: true });
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    if (window.CKEDITOR) {
      window.CKEDITOR.on("instanceCreated", function (event) {
        event.editor.on("change", changed);
      });
      Object.keys(window.CKEDITOR.instances).forEach(function (name) {
        window.CKEDITOR.instances[name].on("change", changed);
      });
    }

    form.addEventListener("submit", function (event) {
      if (inFlight) {
        // Wait for the autosave under way: its answer moves the form's version on.
        event.preventDefault();
        var submitter = event.submitter;
        inFlight.then(function () {
          if (form.requestSubmit) {
            form.requestSubmit(submitter || undefined);
          } else {
            form.submit();
          }
        });
        return;
      }
      submitting = true;
      window.clearTimeout(timer);
      timer = null;
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      }
    });
    window.addEventListener("pagehide", flush);
    window.addEventListener("pageshow", function (event) {
      // Back from the browser's page cache after an autosave on leaving: the form's
      // version is old, so load the page again (it shows the autosaved text).
      if (event.persisted && sentWhileHidden) {
        window.location.reload();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The article form (templates/admin/articles/article/change_form.html):
 *   - character counters on fields with a limit (data-count-limit, set by the admin form);
 *   - the ordered parts (TL;DR, FAQ, sources): ↑ ↓ buttons beside django-admin-sortable2's
 *     dragging, every row numbered from the page when the form is sent;
 *   - the live pre-publish checklist, asked of the server as the editor types;
 *   - the search result and share card previews.
 * A static file, no inline script: the admin's Content-Security-Policy allows this site's
 * scripts, and fetches to this site only.
 */
(function () {
    "use strict";

    const form = () => document.getElementById("article_form");

    // --- Character counters -------------------------------------------------------------

    function counterFor(field) {
        let counter = field.parentElement.querySelector(":scope > .char-count");
        if (!counter) {
            counter = document.createElement("span");
            counter.className = "char-count";
            field.insertAdjacentElement("afterend", counter);
        }
        return counter;
    }

    function updateCounter(field) {
        const limit = Number(field.dataset.countLimit);
        const length = field.value.length;
        const counter = counterFor(field);
        const over = length > limit;
        counter.textContent = over
            ? `${length} / ${limit}: ${length - limit} too many`
            : `${length} / ${limit}`;
        counter.classList.toggle("is-over", over);
    }

    function setUpCounters(root) {
        root.querySelectorAll("[data-count-limit]").forEach(updateCounter);
    }

    // --- Ordered parts ------------------------------------------------------------------

    const groups = () => document.querySelectorAll(".ordered-part");

    function rowsOf(group) {
        return Array.from(
            group.querySelectorAll(":scope > fieldset > .inline-related:not(.empty-form)")
        );
    }

    function prefixOf(group) {
        return JSON.parse(group.dataset.inlineFormset).options.prefix;
    }

    function relabel(group) {
        rowsOf(group).forEach((row, index) => {
            const label = row.querySelector(".inline_label");
            if (label) label.textContent = `#${index + 1}`;
        });
    }

    /* Each row's place, as the page shows it; sent with the form (hidden "position"). */
    function numberPositions(group) {
        rowsOf(group).forEach((row, index) => {
            const position = row.querySelector("input._reorder_");
            if (position) position.value = String(index + 1);
        });
    }

    /* Django reads rows 0..INITIAL_FORMS-1 as the saved ones.  Its "remove" link renames rows
       in page order, which after a move can put a new row among them: saved rows first. */
    function keepSavedRowsFirst(group) {
        const prefix = prefixOf(group);
        const rows = rowsOf(group);
        const isSaved = (row) => {
            const pk = row.querySelector(`input[name^="${prefix}-"][name$="-id"]`);
            return Boolean(pk && pk.value);
        };
        const wanted = rows.filter(isSaved).concat(rows.filter((row) => !isSaved(row)));
        const pattern = new RegExp(`^(.*?)${prefix}-\\d+-`);
        const indexOf = (row) => {
            const named = row.querySelector(`[name^="${prefix}-"]`);
            const match = named && named.name.match(new RegExp(`^${prefix}-(\\d+)-`));
            return match ? Number(match[1]) : -1;
        };
        if (wanted.every((row, index) => indexOf(row) === index)) return;
        wanted.forEach((row, index) => {
            row.id = `${prefix}-${index}`;
            for (const element of row.querySelectorAll("[id], [name], [for]")) {
                for (const attribute of ["id", "name", "for"]) {
                    const value = element.getAttribute(attribute);
                    if (value && pattern.test(value)) {
                        element.setAttribute(
                            attribute,
                            value.replace(pattern, `$1${prefix}-${index}-`)
                        );
                    }
                }
            }
        });
    }

    function announce(group, text) {
        const status = group.querySelector(".ordered-part-status");
        if (status) status.textContent = text;
    }

    function move(button) {
        const row = button.closest(".inline-related");
        const group = button.closest(".ordered-part");
        const rows = rowsOf(group);
        const index = rows.indexOf(row);
        const target = button.dataset.move === "up" ? index - 1 : index + 1;
        if (index < 0 || target < 0 || target >= rows.length) return;
        // A CKEditor moved with its row (FAQ answers) makes its frame again, text and all.
        if (target < index) rows[target].before(row);
        else rows[target].after(row);
        relabel(group);
        button.focus();
        announce(group, `Moved to place ${target + 1} of ${rows.length}.`);
        scheduleCheck();
    }

    function setUpOrderedParts() {
        for (const group of groups()) {
            const status = document.createElement("p");
            status.className = "ordered-part-status visually-hidden";
            status.setAttribute("role", "status");
            group.querySelector("fieldset").append(status);

            group.addEventListener("click", (event) => {
                const button = event.target.closest(".ordered-row-move");
                if (button) {
                    event.preventDefault();
                    move(button);
                }
            });
        }
        // After sortable2's drag (a mouse's, or a finger's): the numbers follow the page.
        const relabelAll = () => setTimeout(() => groups().forEach(relabel));
        document.addEventListener("dragend", relabelAll, true);
        document.addEventListener("pointerup", relabelAll, true);
        document.addEventListener("formset:added", (event) => {
            const group = event.target.closest(".ordered-part");
            if (group) relabel(group);
            setUpCounters(event.target);
            scheduleCheck();
        });
        document.addEventListener("formset:removed", () => {
            groups().forEach(keepSavedRowsFirst);
            groups().forEach(relabel);
            scheduleCheck();
        });
    }

    function prepareToSend() {
        for (const group of groups()) {
            keepSavedRowsFirst(group);
            numberPositions(group);
        }
    }

    // --- The live checklist -------------------------------------------------------------

    let checkTimer = null;
    let checking = false;
    let checkAgain = false;

    function scheduleCheck() {
        const panel = document.getElementById("article-checklist");
        if (!panel || !panel.dataset.url) return;
        clearTimeout(checkTimer);
        checkTimer = setTimeout(check, 600);
    }

    function formDataToCheck() {
        prepareToSend(); // rows numbered as the page shows them ("FAQ entry 2" is the second)
        if (window.CKEDITOR) {
            for (const editor of Object.values(window.CKEDITOR.instances)) editor.updateElement();
        }
        const data = new FormData(form());
        // Files stay on the editor's machine until they save: only whether one is chosen.
        for (const input of form().querySelectorAll('input[type="file"]')) {
            data.delete(input.name);
            if (input.files && input.files.length) data.set("_hero_chosen", "1");
        }
        return data;
    }

    function pluralThings(count) {
        return `${count} thing${count === 1 ? "" : "s"} to fix before publishing`;
    }

    function showChecklist(problems) {
        const panel = document.getElementById("article-checklist");
        const ready = problems.length === 0;
        panel.classList.toggle("is-ready", ready);
        panel.querySelector(".article-checklist-status").textContent = ready
            ? "Ready to publish: nothing missing."
            : pluralThings(problems.length);
        const list = panel.querySelector(".article-checklist-problems");
        list.replaceChildren(
            ...problems.map((problem) => {
                const item = document.createElement("li");
                item.textContent = problem;
                return item;
            })
        );
        showSummaryInBar(problems.length);
    }

    async function check() {
        if (checking) {
            checkAgain = true;
            return;
        }
        checking = true;
        const panel = document.getElementById("article-checklist");
        try {
            const response = await fetch(panel.dataset.url, {
                method: "POST",
                body: formDataToCheck(),
                credentials: "same-origin",
                headers: { "X-Requested-With": "XMLHttpRequest" },
            });
            if (!response.ok) throw new Error(`checklist answered ${response.status}`);
            const answer = await response.json();
            showChecklist(answer.problems);
            panel.classList.remove("is-stale");
        } catch (error) {
            panel.classList.add("is-stale");
            panel.querySelector(".article-checklist-status").textContent =
                "Could not check just now; the same rules apply when you publish.";
        } finally {
            checking = false;
            if (checkAgain) {
                checkAgain = false;
                scheduleCheck();
            }
        }
    }

    /* The count, in the bar that stays in view: a link to the checklist. */
    function showSummaryInBar(count) {
        const bar = document.querySelector(".article-form-page .submit-row");
        if (!bar) return;
        let link = bar.querySelector(".submit-row-checklist");
        if (!link) {
            link = document.createElement("a");
            link.className = "submit-row-checklist";
            link.href = "#article-checklist";
            bar.prepend(link);
        }
        link.textContent = count ? pluralThings(count) : "Ready to publish";
        link.classList.toggle("is-ready", count === 0);
    }

    function setUpChecklist() {
        const panel = document.getElementById("article-checklist");
        if (!panel) return;
        showSummaryInBar(panel.querySelectorAll(".article-checklist-problems li").length);
        if (!panel.dataset.url) return;
        form().addEventListener("input", scheduleCheck);
        form().addEventListener("change", scheduleCheck);
        // select2 (author, section, tags) announces its changes through jQuery only.
        if (window.django && window.django.jQuery) {
            window.django.jQuery(form()).on("change", scheduleCheck);
        }
        if (window.CKEDITOR) {
            window.CKEDITOR.on("instanceReady", (event) => event.editor.on("change", scheduleCheck));
            for (const editor of Object.values(window.CKEDITOR.instances)) {
                editor.on("change", scheduleCheck);
            }
        }
        scheduleCheck();
    }

    // --- Search and share previews ------------------------------------------------------

    const SEARCH_TITLE_MAX = 60;
    const SEARCH_DESCRIPTION_MAX = 160;
    const SEARCH_DESCRIPTION_CUT = 155;

    /* Cut at a word boundary, as search engines do, with an ellipsis. */
    function cut(text, max, cutAt = max) {
        const clean = text.replace(/\s+/g, " ").trim();
        if (clean.length <= max) return clean;
        const head = clean.slice(0, cutAt + 1);
        const space = head.lastIndexOf(" ");
        return `${(space > cutAt * 0.6 ? head.slice(0, space) : head.slice(0, cutAt)).trimEnd()} …`;
    }

    const value = (id) => {
        const field = document.getElementById(id);
        return field ? field.value.trim() : "";
    };

    let chosenHero = null; // a data: URL of the picture picked but not saved yet

    function updatePreviews() {
        const box = document.getElementById("article-previews");
        if (!box) return;
        const site = box.dataset.siteName;
        const title = value("id_title") || "Your headline";
        const description =
            value("id_meta_description") || value("id_standfirst") || "";
        const slug = value("id_slug") || "your-headline";
        const address = new URL(box.dataset.urlPattern.replace("SLUG", slug));
        const parts = address.pathname.split("/").filter(Boolean);

        box.querySelector(".search-preview-url").textContent =
            [address.host, ...parts].join(" › ");
        box.querySelector(".search-preview-title").textContent = cut(
            `${title} — ${site}`,
            SEARCH_TITLE_MAX
        );
        box.querySelector(".search-preview-description").textContent = description
            ? cut(description, SEARCH_DESCRIPTION_MAX, SEARCH_DESCRIPTION_CUT)
            : "No description yet: search engines will pick words from the page.";

        const heroCleared = document.getElementById("hero_image-clear_id");
        const hero = chosenHero || (heroCleared && heroCleared.checked ? "" : box.dataset.heroUrl);
        const card = box.querySelector(".share-preview");
        const image = card.querySelector("img");
        card.classList.toggle("is-large", Boolean(hero));
        image.src = hero || box.dataset.logoUrl;
        image.hidden = false;
        card.querySelector(".share-preview-site").textContent = address.host.toUpperCase();
        card.querySelector(".share-preview-title").textContent = cut(title, 90);
        card.querySelector(".share-preview-description").textContent = cut(
            description || box.dataset.siteDescription,
            200
        );
    }

    function setUpPreviews() {
        if (!document.getElementById("article-previews")) return;
        form().addEventListener("input", updatePreviews);
        form().addEventListener("change", updatePreviews);
        const picker = document.getElementById("id_hero_image");
        if (picker) {
            picker.addEventListener("change", () => {
                chosenHero = null;
                const file = picker.files && picker.files[0];
                if (!file || !file.type.startsWith("image/")) {
                    updatePreviews();
                    return;
                }
                // A data: URL, which the admin's img-src allows (blob: it does not).
                const reader = new FileReader();
                reader.addEventListener("load", () => {
                    chosenHero = reader.result;
                    updatePreviews();
                });
                reader.readAsDataURL(file);
            });
        }
        updatePreviews();
    }

    // --- Start --------------------------------------------------------------------------

    function start() {
        if (!form()) return;
        setUpCounters(document);
        form().addEventListener("input", (event) => {
            if (event.target.matches("[data-count-limit]")) updateCounter(event.target);
        });
        setUpOrderedParts();
        setUpPreviews();
        form().addEventListener("submit", prepareToSend);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
    // CKEditor and select2 are ready only once everything has loaded.
    window.addEventListener("load", setUpChecklist);
})();

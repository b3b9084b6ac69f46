/* Ask before leaving the article form with unsaved changes.
 *
 * Closing the tab, following a link or going back asks first (the browser's own "Leave
 * site?" question; browsers show their own words, not ours) when anything differs from the
 * form as it was loaded: a field, an inline row added, changed or deleted, or a CKEditor
 * body.  Submitting the form with any of its buttons (Save, the workflow's) does not ask.
 * A form shown again with errors holds unsaved changes from the start (data-unsaved-on-load).
 */
'use strict';
{
    const script = document.currentScript;
    const form = script && document.getElementById(script.dataset.form);

    if (form) {
        const unsavedOnLoad = script.dataset.unsavedOnLoad === 'yes';
        let submitting = false;

        // Every field's name and value, in order; files by name and size.
        const snapshot = () => {
            const pairs = [];
            new FormData(form).forEach((value, name) => {
                if (name !== 'csrfmiddlewaretoken') {
                    const text = typeof value === 'string' ? value : `${value.name}:${value.size}`;
                    pairs.push([name, text]);
                }
            });
            return JSON.stringify(pairs);
        };
        // Taken when the page has just been parsed, before the admin's and CKEditor's start-up
        // work (DOMContentLoaded): the values exactly as the server sent them.
        const loaded = snapshot();

        // CKEditor keeps its text to itself until the form is submitted, so ask each editor.
        const editorChanged = () => {
            const editors = window.CKEDITOR ? Object.values(window.CKEDITOR.instances) : [];
            return editors.some((editor) => editor.checkDirty());
        };

        const unsaved = () => unsavedOnLoad || editorChanged() || snapshot() !== loaded;

        // Any submit button, once nothing has cancelled the submission and it replaces this
        // page (not a preview posted to another tab).  Listening on window runs after the
        // form's own listeners, so their verdict is known.
        window.addEventListener('submit', (event) => {
            if (event.target !== form || event.defaultPrevented) {
                return;
            }
            const submitter = event.submitter;
            const target = (submitter && submitter.getAttribute('formtarget')) || form.target;
            if (!target || target === '_self') {
                submitting = true;
            }
        });
        window.addEventListener('pageshow', (event) => {
            if (event.persisted) {
                submitting = false; // back from the browser's page cache: the form is live again
            }
        });
        window.addEventListener('beforeunload', (event) => {
            if (!submitting && unsaved()) {
                event.preventDefault();
                event.returnValue = ''; // browsers before 2023 ask only when this is set
            }
        });
    }
}

/* "Cite source": inserts a numbered citation marker at the cursor, pointing at one of the
 * article's sources.
 *
 * A marker is <sup class="cite"><a href="#source-2">2</a></sup>: the number is the source's
 * place in the "Sources" rows below the editor, the order readers see them in.  The cleaner
 * keeps exactly this form (smartchunks/media/citation_markers.py); the article page links
 * the number to the source and the source back to it (articles/pages/citations.py).  A
 * marker pointing past the last source is named by the pre-publish checklist.
 *
 * The dialog lists the source rows as the form has them now (saved or not), in page order,
 * leaving out rows marked for deletion and empty rows: the same rows, numbered the same way,
 * as the server will save.
 *
 * Markers follow their source: when the rows are moved (↑ ↓, dragging) the markers in the
 * body are renumbered to match.  A cited row deleted (or emptied) takes its markers past the
 * last source, where the pre-publish checklist names them ("Citation marker [3] ... points to
 * source 3, but the article has 2 sources"); ticking Delete off again brings them back.
 */
/* global CKEDITOR */
;(() => {
  "use strict"

  const NO_SOURCES =
    "This article has no sources yet. Add one under “Sources” below the editor, then cite it."
  const SOURCE_ROWS = "#sources-group .inline-related:not(.empty-form)"

  function field(row, name) {
    const input = row.querySelector(`[name$="-${name}"]`)
    return input ? input.value.trim() : ""
  }

  /** The form's source rows that will be saved, in the order readers will see them. */
  function keptRows() {
    return Array.from(document.querySelectorAll(SOURCE_ROWS)).filter((row) => {
      const deleted = row.querySelector('input[name$="-DELETE"]')
      return !(deleted && deleted.checked) && Boolean(field(row, "name") || field(row, "url"))
    })
  }

  /** [{number, name, url}] of the form's source rows, numbered as readers will see them. */
  function formSources() {
    return keptRows().map((row, index) => {
      const url = field(row, "url")
      return { number: index + 1, name: field(row, "name") || url, url }
    })
  }

  const MARKER_HREF = /^#source-(\d+)$/
  const MARKER_IN_DATA = /(<sup class="cite"><a href="#source-)(\d+)(">)(\d+)(<\/a><\/sup>)/g

  function setMarkerNumber(link, number) {
    const href = `#source-${number}`
    link.setAttributes({ href, "data-cke-saved-href": href })
    link.setText(String(number))
  }

  /** Renumbers the body's markers at once: ``moves`` maps an old number to its new one. */
  function renumberMarkers(editor, moves) {
    if (editor.mode !== "wysiwyg") {
      const data = editor.getData().replace(MARKER_IN_DATA, (whole, open, href, mid, text, close) => {
        const to = moves.get(Number(href))
        return to && href === text ? `${open}${to}${mid}${to}${close}` : whole
      })
      editor.setData(data)
      return
    }
    editor.fire("saveSnapshot")
    const links = editor.editable().find("sup.cite > a")
    let changed = false
    for (let index = 0; index < links.count(); index++) {
      const link = links.getItem(index)
      const found = MARKER_HREF.exec(link.data("cke-saved-href") || link.getAttribute("href") || "")
      const to = found && moves.get(Number(found[1]))
      if (to) {
        setMarkerNumber(link, to)
        changed = true
      }
    }
    if (changed) {
      editor.fire("saveSnapshot")
      editor.fire("change")
    }
  }

  /** Keeps the body's markers on their source while the rows are moved, deleted, restored. */
  function followTheSources(editor) {
    const group = document.querySelector("#sources-group")
    if (!group) return
    // Numbered rows: those kept, then those set aside (deleted, emptied) past the last one.
    let numbered = keptRows()
    const sync = () => {
      const kept = keptRows()
      const setAside = numbered.filter((row) => !kept.includes(row))
      const now = kept.concat(setAside)
      const moves = new Map()
      numbered.forEach((row, index) => {
        const to = now.indexOf(row) + 1
        if (to !== index + 1) moves.set(index + 1, to)
      })
      numbered = now
      if (moves.size) renumberMarkers(editor, moves)
    }
    new MutationObserver(sync).observe(group.querySelector("fieldset") || group, {
      childList: true,
    })
    group.addEventListener("change", sync) // Delete ticked, a row's name or address changed
  }

  function hostOf(url) {
    try {
      return new URL(url).host
    } catch {
      return url
    }
  }

  function insertMarker(editor, number) {
    // At the cursor; with text selected, after it (the marker never replaces words).
    const selection = editor.getSelection()
    const ranges = selection && selection.getRanges()
    if (ranges && ranges.length) {
      const range = ranges[0]
      range.collapse(false)
      // A cursor inside a marker (End after one puts it in its link) goes after it: a marker
      // within a marker is unwrapped by the cleaner and readers would see "11".
      const marker = range.startContainer.getAscendant(
        (node) => node.type === CKEDITOR.NODE_ELEMENT && node.is("sup") && node.hasClass("cite"),
        true,
      )
      if (marker) range.moveToPosition(marker, CKEDITOR.POSITION_AFTER_END)
      selection.selectRanges([range])
    }
    const sup = new CKEDITOR.dom.element("sup", editor.document)
    sup.addClass("cite")
    const link = new CKEDITOR.dom.element("a", editor.document)
    setMarkerNumber(link, number)
    sup.append(link)
    editor.insertElement(sup)
    // Typing goes on in the sentence, after the marker, not inside its link.
    const after = editor.createRange()
    after.moveToPosition(sup, CKEDITOR.POSITION_AFTER_END)
    after.select()
  }

  function citeDialog(editor) {
    return {
      title: "Cite source",
      minWidth: Math.min(420, window.innerWidth - 40),
      minHeight: 80,
      contents: [
        {
          id: "info",
          elements: [
            {
              type: "html",
              id: "help",
              html:
                '<p class="cite-dialog-help">A numbered marker goes at the cursor. Readers see the ' +
                "number as a superscript linking to the source.</p>",
            },
            {
              type: "select",
              id: "source",
              label: "Source",
              items: [],
              validate() {
                return this.getValue() !== "" || NO_SOURCES
              },
            },
          ],
        },
      ],
      onShow() {
        const select = this.getContentElement("info", "source")
        select.clear()
        const sources = formSources()
        for (const source of sources) {
          select.add(`${source.number}. ${source.name} (${hostOf(source.url)})`, String(source.number))
        }
        if (sources.length) {
          select.setValue("1")
        } else {
          select.add(NO_SOURCES, "")
          select.setValue("")
        }
      },
      onOk() {
        const number = Number.parseInt(this.getValueOf("info", "source"), 10)
        if (number > 0) insertMarker(editor, number)
      },
    }
  }

  CKEDITOR.plugins.add("citations", {
    onLoad() {
      CKEDITOR.document.appendStyleSheet(`${this.path}plugin.css`)
    },
    init(editor) {
      editor.addCommand(
        "citeSource",
        new CKEDITOR.dialogCommand("citeSource", {
          allowedContent: "sup(!cite); a[!href]",
          requiredContent: "sup(cite)",
        }),
      )
      CKEDITOR.dialog.add("citeSource", citeDialog)
      editor.ui.addButton("CiteSource", {
        label: "Cite source",
        command: "citeSource",
        toolbar: "links",
      })
      editor.on("instanceReady", () => followTheSources(editor))
    },
  })
})()

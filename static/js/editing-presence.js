/* "Ana Ruiz is also editing this article": the article form's heartbeat.
 *
 * While the tab is visible the form posts a heartbeat (articles/admin/presence.py) every few
 * seconds and shows whoever else the server saw recently; a hidden tab stops beating (its
 * person fades out after a minute), and leaving the page says so at once with a beacon, which
 * still goes out while the page unloads.  Each page names itself with a random "visit" id, so
 * a heartbeat still on its way when the page closed cannot undo the closing.  The banner's
 * names are set as text, never as HTML.
 */
'use strict';
{
    const banner = document.getElementById('editing-presence');
    const news = document.getElementById('editing-presence-news');
    const tokenField = document.querySelector('input[name="csrfmiddlewaretoken"]');

    if (banner && tokenField && window.fetch) {
        const list = banner.querySelector('.editing-presence-people');
        const url = banner.dataset.url;
        const everyMs = (Number(banner.dataset.heartbeatSeconds) || 20) * 1000;
        // A new id for each showing of the page (a page back from the browser's cache too).
        const newVisit = () => Array.from(
            crypto.getRandomValues(new Uint8Array(12)),
            (byte) => byte.toString(16).padStart(2, '0')
        ).join('');
        let visit = newVisit();
        let timer = null;
        let stopped = false; // the server said this person may not beat here (any more)
        let people = []; // the latest answer's colleagues
        let answeredAt = 0; // when it came, on this page's clock

        const body = (event) => {
            const data = new FormData();
            data.append('csrfmiddlewaretoken', tokenField.value);
            data.append('event', event);
            data.append('visit', visit);
            if (event === 'heartbeat') {
                // Counted from this page's start, whatever the computer's clock says.
                data.append('opened_seconds_ago', String(Math.floor(performance.now() / 1000)));
            }
            return data;
        };

        const activeText = (person) => {
            const sinceAnswer = Math.round((performance.now() - answeredAt) / 1000);
            const seconds = person.seen_seconds_ago + sinceAnswer;
            if (seconds < 5) {
                return 'active just now';
            }
            if (seconds < 60) {
                return `active ${seconds} s ago`;
            }
            return `active ${Math.floor(seconds / 60)} min ago`;
        };

        const render = () => {
            list.replaceChildren(...people.map((person) => {
                const item = document.createElement('li');
                const name = document.createElement('strong');
                const when = document.createElement('span');
                name.textContent = person.name;
                when.className = 'editing-presence-when';
                when.textContent = `opened ${person.opened}, ${activeText(person)}`;
                item.append(name, ' is also editing this article — ', when);
                return item;
            }));
            banner.hidden = people.length === 0;
        };

        // Screen readers hear who came and who went, not every "active 20 s ago".
        const announce = (before, after) => {
            const ids = (group) => new Set(group.map((person) => person.id));
            const had = ids(before);
            const has = ids(after);
            const came = after.filter((person) => !had.has(person.id))
                .map((person) => `${person.name} is also editing this article.`);
            const went = before.filter((person) => !has.has(person.id))
                .map((person) => `${person.name} stopped editing this article.`);
            if (news && (came.length || went.length)) {
                news.textContent = [...came, ...went].join(' ');
            }
        };

        const show = (others) => {
            announce(people, others);
            people = others;
            answeredAt = performance.now();
            render();
        };

        const stop = () => {
            clearInterval(timer);
            timer = null;
        };

        const beat = () => {
            fetch(url, {
                method: 'POST',
                body: body('heartbeat'),
                credentials: 'same-origin',
                headers: {Accept: 'application/json'},
            }).then((response) => {
                const type = response.headers.get('Content-Type') || '';
                const isJson = type.startsWith('application/json');
                if (response.ok && isJson) {
                    return response.json().then((answer) => show(answer.others || []));
                }
                if (response.ok || response.status < 500) {
                    // Refused (article gone, rights lost), or signed out and sent to the sign-in
                    // page: beating again will not help.  A 5xx passes; the next beat retries.
                    stopped = true;
                    stop();
                    show([]);
                }
            }).catch(() => {
                // The network or the server is down for a moment: the next beat tries again.
            });
        };

        const start = () => {
            if (stopped || timer !== null || document.hidden) {
                return;
            }
            beat();
            timer = setInterval(beat, everyMs);
        };

        document.addEventListener('visibilitychange', () => {
            if (document.hidden) {
                stop();
            } else {
                start();
            }
        });
        window.addEventListener('pagehide', () => {
            stop();
            if (!stopped && navigator.sendBeacon) {
                navigator.sendBeacon(url, body('left'));
            }
        });
        window.addEventListener('pageshow', (event) => {
            if (event.persisted) {
                visit = newVisit(); // back from the browser's page cache: a new visit
                start();
            }
        });
        // Between beats, "active 20 s ago" keeps counting.
        setInterval(() => {
            if (people.length && !document.hidden) {
                render();
            }
        }, 5000);
        start();
    }
}

// Small browser helpers the Blazor components call through JS interop.
window.codeMentor = {
    // Enter sends, Shift+Enter (or IME composition) adds a line.
    // Enter asks the component to send rather than clicking its button: the button is enabled by the
    // server's render of the input event, so a quick Enter (a paste, then Enter) would find it still
    // disabled and be lost. The input event travels first on the same connection, so the server
    // already holds the text when this call arrives.
    sendOnEnter(textarea, component) {
        if (!textarea || textarea._codeMentorKeydown) return;
        const handler = (e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                component.invokeMethodAsync("SendFromKeyboard");
            }
        };
        textarea._codeMentorKeydown = handler;
        textarea.addEventListener("keydown", handler);
    },
    // Text too big to send over the circuit would close the connection and be lost: keep it in
    // the browser (the input event does not reach the server) and tell the component instead.
    guardLength(textarea, maxUnits, component) {
        if (!textarea || textarea._codeMentorGuard) return;
        const guard = (e) => {
            if (textarea.value.length > maxUnits) {
                e.stopImmediatePropagation();
                component.invokeMethodAsync("TooBigToSend", textarea.value.length);
            }
        };
        textarea._codeMentorGuard = guard;
        textarea.addEventListener("input", guard, true);
    },
    detach(textarea) {
        if (textarea && textarea._codeMentorKeydown) {
            textarea.removeEventListener("keydown", textarea._codeMentorKeydown);
            delete textarea._codeMentorKeydown;
        }
        if (textarea && textarea._codeMentorGuard) {
            textarea.removeEventListener("input", textarea._codeMentorGuard, true);
            delete textarea._codeMentorGuard;
        }
    },
    // Keeps a scrolling thread at its newest message while content grows (a reply streaming in),
    // until the learner scrolls up to read; then a "Jump to latest" button appears instead.
    // Called again for another conversation, it goes back to the newest message.
    followLatest(scroller) {
        if (!scroller) return;
        const jump = scroller.parentElement?.querySelector("[data-jump-latest]");
        const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
        if (scroller._codeMentorFollow) {
            scroller._codeMentorFollow.pinned = true;
            if (jump) jump.hidden = true;
            toBottom();
            return;
        }
        const state = { pinned: true };
        const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
        // Only a move upwards means the learner left the bottom: content that grows between our own scroll and its
        // event must not count as leaving (it did on a loaded machine), and growth never lowers scrollTop.
        let lastTop = scroller.scrollTop;
        scroller.addEventListener("scroll", () => {
            if (scroller.scrollTop < lastTop - 1) state.pinned = false;
            if (atBottom()) state.pinned = true;
            lastTop = scroller.scrollTop;
            if (state.pinned && jump) jump.hidden = true;
        }, { passive: true });
        // Reading intent wins over following, even while the content grows under the pointer.
        const leave = () => { state.pinned = false; };
        scroller.addEventListener("wheel", (e) => { if (e.deltaY < 0) leave(); }, { passive: true });
        scroller.addEventListener("touchmove", leave, { passive: true });
        scroller.addEventListener("keydown", (e) => { if (["ArrowUp", "PageUp", "Home"].includes(e.key)) leave(); });
        const observer = new ResizeObserver(() => {
            if (state.pinned) toBottom();
            else if (jump) jump.hidden = false;
        });
        observer.observe(scroller.firstElementChild ?? scroller);
        jump?.addEventListener("click", () => {
            state.pinned = true;
            jump.hidden = true;
            toBottom();
        });
        scroller._codeMentorFollow = state;
        toBottom();
    },
    // What the browser knows about the learner's display, as one query string: what the layout reads (a string, so no
    // circuit builds JSON metadata and accessors for a record) and what the cookie below holds, parsed by the server in
    // one place (MainLayout.Parse).
    displayState() {
        let theme = "", timeZone = "";
        try { theme = localStorage.getItem("codementor-theme") ?? ""; } catch { /* storage blocked */ }
        try { timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? ""; } catch { /* very old browser */ }
        const dark = matchMedia("(prefers-color-scheme: dark)").matches ? "1" : "0";
        return new URLSearchParams({ theme, dark, tz: timeZone }).toString();
    },
    setThemePreference(value) {
        try { localStorage.setItem("codementor-theme", value); } catch { /* private mode: the choice lasts this page */ }
        codeMentor.rememberDisplay();
    },
    // The facts in a cookie, so the server draws the next page's first paint (prerendered, before any
    // script runs) in the learner's theme and time zone instead of flashing light and UTC first.
    rememberDisplay() {
        document.cookie = `codementor-display=${encodeURIComponent(codeMentor.displayState())}; path=/; max-age=31536000; samesite=lax`;
    },
    // The open page's layout: told when the system's dark mode changes (see the listener at the end), and the
    // page-wide shortcuts (listed in ShortcutsDialog.razor). These act through the same buttons a pointer
    // would use, so a shortcut can never do what the page does not offer at that moment.
    registerLayout(layout) {
        codeMentor._layout = layout;
        if (codeMentor._shortcuts) return;
        const click = (selector) => {
            const target = document.querySelector(selector);
            if (target && !target.disabled) { target.click(); return true; }
            return false;
        };
        codeMentor._shortcuts = (e) => {
            const mod = e.ctrlKey || e.metaKey;
            const inField = e.target instanceof HTMLElement && e.target.matches("input, textarea, [contenteditable]");
            if (e.key === "Escape" && !document.querySelector(".mud-dialog-container")) {
                if (click("[data-testid=stop]")) e.preventDefault();
            } else if (mod && !e.shiftKey && e.key.toLowerCase() === "k") {
                const search = document.querySelector("[data-testid=conversation-search] input, input[data-testid=conversation-search]");
                if (search) { e.preventDefault(); search.focus(); search.select(); }
            } else if (mod && e.shiftKey && e.key.toLowerCase() === "o") {
                e.preventDefault();
                if (!click("[data-testid=new-conversation]")) location.assign("chat");
            } else if (e.key === "ArrowUp" && e.target.matches?.("[data-testid=chat-input]") && e.target.value === "") {
                if (click("[data-testid=edit-last]")) e.preventDefault();
            } else if (e.key === "?" && e.shiftKey && !inField) {
                e.preventDefault();
                codeMentor._layout?.invokeMethodAsync("ShowShortcutsAsync");
            }
        };
        document.addEventListener("keydown", codeMentor._shortcuts);
        // Tab indents inside a code box; Esc first lets the next Tab leave it (no keyboard trap).
        document.addEventListener("keydown", (e) => {
            const box = e.target;
            if (!(box instanceof HTMLTextAreaElement) || !box.matches(".code-input, .code-input textarea")) return;
            if (e.key === "Escape") { box._codeMentorTabLeaves = true; return; }
            if (e.key !== "Tab" || e.ctrlKey || e.altKey || e.metaKey || box._codeMentorTabLeaves) {
                if (e.key !== "Tab") box._codeMentorTabLeaves = false;
                return;
            }
            e.preventDefault();
            const { selectionStart: start, selectionEnd: end, value } = box;
            if (e.shiftKey) {
                const lineStart = value.lastIndexOf("\n", start - 1) + 1;
                const spaces = value.slice(lineStart, lineStart + 4).match(/^ */)[0].length;
                if (spaces === 0) return;
                box.setRangeText("", lineStart, lineStart + spaces, "preserve");
            } else {
                box.setRangeText("    ", start, end, "end");
            }
            box.dispatchEvent(new Event("input", { bubbles: true }));
        });
        // A code block's copy button (rendered into sanitized Markdown, so no inline handler).
        document.addEventListener("click", async (e) => {
            const button = e.target instanceof Element ? e.target.closest("[data-copy-code]") : null;
            if (!button) return;
            const code = button.closest(".code-block")?.querySelector("pre code, pre");
            if (!code) return;
            await codeMentor.copyText(code.innerText);
            button.dataset.label ??= button.textContent; // the label before any "Copied", even on a double click
            button.textContent = "Copied";
            clearTimeout(button._codeMentorReset);
            button._codeMentorReset = setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
        });
    },
    unregisterLayout() {
        codeMentor._layout = null;
    },
    scrollIntoView(elementOrId) {
        const element = typeof elementOrId === "string" ? document.getElementById(elementOrId) : elementOrId;
        const smooth = !matchMedia("(prefers-reduced-motion: reduce)").matches;
        element?.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "nearest" });
    },
    focus(element) {
        // Back to the box after sending, unless the learner has moved on to another field meanwhile
        // (a fast reply must not pull the focus out of the search box they just opened).
        const active = document.activeElement;
        if (active && active !== element && active !== document.body && active.matches?.("input, textarea, select, [contenteditable]")) return;
        element?.focus();
    },
    setTitle(title) {
        document.title = title; // DocumentTitle.razor: a page's title once its circuit draws it
    },
    focusSelector(selector) {
        // A button drawn in place of the one the learner pressed (a row's actions menu opening or closing).
        document.querySelector(selector)?.focus();
    },
    async copyText(text) {
        try {
            await navigator.clipboard.writeText(text);
        } catch {
            // Clipboard API refused (insecure context, permissions): fall back to a hidden textarea.
            const area = document.createElement("textarea");
            area.value = text;
            area.style.position = "fixed";
            area.style.opacity = "0";
            document.body.appendChild(area);
            area.select();
            document.execCommand("copy");
            area.remove();
        }
    }
};

// Not while the page is first drawn: on a fresh profile the first storage and time-zone reads held the main thread
// 25-46 ms before the first paint (Chromium traces, docs/benchmarks.md). The cookie only serves the next full load.
(window.requestIdleCallback ?? ((work) => setTimeout(work, 200)))(() => codeMentor.rememberDisplay(), { timeout: 1000 });
matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", (e) => {
    codeMentor.rememberDisplay();
    codeMentor._layout?.invokeMethodAsync("SystemDarkModeChangedAsync", e.matches);
});

// Small browser helpers the Blazor components call through JS interop.
window.codeMentor = {
    // Enter sends, Shift+Enter (or IME composition) adds a line.
    sendOnEnter(textarea, sendSelector) {
        if (!textarea || textarea._codeMentorKeydown) return;
        const handler = (e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                const button = textarea.closest(".chat-input")?.querySelector(sendSelector);
                if (button && !button.disabled) button.click();
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
        scroller.addEventListener("scroll", () => {
            state.pinned = atBottom();
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

using CodeMentor.Core.Tutoring;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CodeMentor.Web.Components.Conversation;

public partial class ChatInput : IDisposable
{
    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Parameter] public bool Disabled { get; set; }

    [Parameter] public string? DisabledReason { get; set; }

    [Parameter] public string? Error { get; set; }

    /// <summary>When a request refused by the learner's limits may be tried again; shown as a live countdown.</summary>
    [Parameter] public DateTimeOffset? RetryAt { get; set; }

    [Parameter] public EventCallback OnRetryElapsed { get; set; }

    /// <summary>Whether the page asks for the reply by itself once the wait is over.</summary>
    [Parameter] public bool AutoReply { get; set; }

    [Parameter] public EventCallback<bool> AutoReplyChanged { get; set; }

    [Parameter] public CodeMentor.Core.RateLimiting.QuotaStatus? Quota { get; set; }

    /// <summary>Sends the text (editing: true when it replaces the last message). Returns true when the
    /// text was accepted; only then is the box cleared, so a refused message is never lost.</summary>
    [Parameter, EditorRequired] public Func<string, bool, Task<bool>> OnSend { get; set; } = default!;

    private string _text = "";
    private string _beforeEdit = "";
    private bool _overLimit;
    private bool _sending;
    private bool _editing;
    private ElementReference _textarea;
    private DotNetObjectReference<ChatInput>? _self;

    /// <summary>Puts the learner's last message in the box to be changed and sent again.</summary>
    public async Task BeginEditAsync(string text)
    {
        if (!_editing)
        {
            _beforeEdit = _text;
        }
        _editing = true;
        _text = text;
        StateHasChanged();
        await FocusAsync();
    }

    private async Task CancelEditAsync()
    {
        _editing = false;
        _text = _beforeEdit;
        await FocusAsync();
    }

    private async Task AttachEnterToSendAsync(ElementReference textarea)
    {
        _textarea = textarea;
        _self ??= DotNetObjectReference.Create(this);
        await JS.InvokeVoidAsync("codeMentor.sendOnEnter", textarea, _self);
    }

    /// <summary>Enter in the box: sends what the server holds, under the same rules as the button.</summary>
    [JSInvokable]
    public async Task SendFromKeyboard()
    {
        await SendAsync();
        StateHasChanged(); // called from the browser, not as a component event
    }

    public void Dispose() => _self?.Dispose();

    private async Task FocusAsync()
    {
        if (_textarea.Context is not null)
        {
            await JS.InvokeVoidAsync("codeMentor.focus", _textarea);
        }
    }

    private async Task SendAsync()
    {
        if (_sending || Disabled || string.IsNullOrWhiteSpace(_text) || _overLimit)
        {
            return;
        }
        _sending = true;
        try
        {
            if (await OnSend(_text, _editing))
            {
                _text = _editing ? _beforeEdit : "";
                _editing = false;
                _beforeEdit = "";
            }
        }
        finally
        {
            _sending = false;
        }
        await FocusAsync(); // the learner keeps typing where they were
    }
}

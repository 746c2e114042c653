using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace CodeMentor.Web.Components.Pages.Profile;

/// <summary>The learner's keys for the OpenAI-compatible API: make one (shown once), see when each
/// was last used, revoke it.</summary>
public partial class ApiKeysPanel
{
    [Inject] private ApiKeyService Keys { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [Parameter, EditorRequired] public string UserId { get; set; } = "";

    private IReadOnlyList<ApiKeySummary> _keys = [];
    private string? _name;
    private string? _created;
    private string? _error;
    private bool _busy;

    private string BaseUrl => Navigation.BaseUri + "v1";

    protected override async Task OnParametersSetAsync() => _keys = await Keys.ListAsync(UserId);

    private async Task CreateAsync()
    {
        _busy = true;
        try
        {
            var made = await Keys.CreateAsync(UserId, _name);
            _error = made.Error;
            _created = made.Secret;
            if (made.Error is null)
            {
                _name = null;
                _keys = await Keys.ListAsync(UserId);
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(ApiKeySummary key)
    {
        if (await Keys.RevokeAsync(UserId, key.Id))
        {
            Snackbar.Add($"The key \"{key.Name}\" was revoked: apps using it can no longer call the tutor.", Severity.Success);
        }
        _keys = await Keys.ListAsync(UserId);
    }

    private async Task CopyAsync()
    {
        try
        {
            await Js.InvokeVoidAsync("navigator.clipboard.writeText", _created);
            Snackbar.Add("Key copied.", Severity.Success);
        }
        catch (JSException)
        {
            Snackbar.Add("This browser did not allow copying: select the key and copy it yourself.", Severity.Warning);
        }
    }
}

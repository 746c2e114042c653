namespace CodeMentor.Core.Usage;

/// <summary>New ledger rows have landed, on this node or (with several nodes) any other: what the
/// admin dashboard's live refresh listens to. Rows themselves are read from the database.</summary>
public interface ILedgerActivity
{
    event Action? Changed;
}

/// <summary>One node: the ledger writer's own batches.</summary>
internal sealed class InProcessLedgerActivity : ILedgerActivity, IDisposable
{
    private readonly LedgerWriter _ledger;

    public InProcessLedgerActivity(LedgerWriter ledger)
    {
        _ledger = ledger;
        _ledger.Written += OnWritten;
    }

    public event Action? Changed;

    private void OnWritten(IReadOnlyList<LedgerEntry> batch) => Changed?.Invoke();

    public void Dispose() => _ledger.Written -= OnWritten;
}

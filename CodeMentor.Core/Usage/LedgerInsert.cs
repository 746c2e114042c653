using System.Data.Common;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CodeMentor.Core.Usage;

/// <summary>
/// One prepared INSERT of a ledger row, for bulk loads. Its columns, their names and their value
/// conversions come from the EF model, so the rows are stored exactly as EF would store them.
/// </summary>
internal sealed class LedgerInsert : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly (IClrPropertyGetter Get, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Convert, DbParameter Parameter)[] _columns;

    private LedgerInsert(DbCommand command, (IClrPropertyGetter, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter?, DbParameter)[] columns)
    {
        _command = command;
        _columns = columns;
    }

    /// <summary>Prepares the INSERT in the context's open connection and current transaction.</summary>
    public static async Task<LedgerInsert> PrepareAsync(AppDbContext context, CancellationToken ct)
    {
        var entity = context.Model.FindEntityType(typeof(LedgerEntry))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(p => !p.IsPrimaryKey()).ToList();
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName(table)}\""))}) "
            + $"VALUES ({string.Join(", ", properties.Select((_, i) => "$p" + i))})";
        var columns = properties.Select((p, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$p" + i;
            command.Parameters.Add(parameter);
            return (p.GetGetter(), p.GetTypeMapping().Converter, parameter);
        }).ToArray();
        await command.PrepareAsync(ct);
        return new LedgerInsert(command, columns);
    }

    public async Task ExecuteAsync(LedgerEntry row, CancellationToken ct)
    {
        foreach (var (get, convert, parameter) in _columns)
        {
            var value = get.GetClrValue(row);
            parameter.Value = (value is null ? null : convert is null ? value : convert.ConvertToProvider(value)) ?? DBNull.Value;
        }
        await _command.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}

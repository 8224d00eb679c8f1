using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Porthole.Data;

/// <summary>
/// Inserts rows of one entity type with one prepared statement, in the context's current transaction: for thousands of
/// rows some twenty times faster than <c>SaveChanges</c>, which builds and reads back every row. Table, columns and
/// value conversions come from the EF model, so a property added to the entity is inserted too. Rows are not tracked.
/// The statement is plain SQL both providers read (quoted names, <c>@</c> parameters, <c>RETURNING</c>).
/// </summary>
public sealed class RowInserter<T> : IDisposable
    where T : class
{
    private readonly DbCommand _command;
    private readonly List<(IProperty Property, DbParameter Parameter)> _columns = [];
    private readonly bool _generatesKey;

    public RowInserter(PortholeDb db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of the model.");
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Rows are inserted in a transaction; begin one first.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single();
        _generatesKey = key.ValueGenerated != ValueGenerated.Never;
        _command = transaction.Connection!.CreateCommand();
        _command.Transaction = transaction;
        foreach (var property in entity.GetProperties().Where(p => !(_generatesKey && p == key)))
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = $"@p{_columns.Count}";
            _command.Parameters.Add(parameter);
            _columns.Add((property, parameter));
        }

        var columns = string.Join(", ", _columns.Select(c => $"\"{c.Property.GetColumnName(table)}\""));
        var values = string.Join(", ", _columns.Select(c => c.Parameter.ParameterName));
        var returning = _generatesKey ? $" RETURNING \"{key.GetColumnName(table)}\"" : "";
        _command.CommandText = $"INSERT INTO \"{table.Name}\" ({columns}) VALUES ({values}){returning}";
    }

    /// <summary>Inserts <paramref name="row"/>; returns its key when the database makes it (an autoincrement id), else null.</summary>
    public async Task<long?> InsertAsync(T row, CancellationToken ct)
    {
        foreach (var (property, parameter) in _columns)
        {
            var value = property.GetGetter().GetClrValue(row);
            var converter = property.GetTypeMapping().Converter;
            parameter.Value = (value is not null && converter is not null ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
        }

        if (!_generatesKey)
        {
            await _command.ExecuteNonQueryAsync(ct);
            return null;
        }

        return Convert.ToInt64(await _command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _command.Dispose();
}

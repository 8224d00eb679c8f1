using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Porthole.Data.Sqlite;

/// <summary>
/// What the model needs in SQLite: names compared without regard to ASCII case (the NOCASE collation) and
/// <see cref="DateTimeOffset"/> stored as UTC ticks, since SQLite can neither order nor compare it otherwise.
/// </summary>
public sealed class SqliteModelCustomizer(ModelCustomizerDependencies dependencies) : ModelCustomizer(dependencies)
{
    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.Customize(modelBuilder, context);
        foreach (var property in PortholeDb.TakeCaseInsensitiveProperties(modelBuilder.Model))
        {
            property.SetCollation("NOCASE");
        }

        var ticks = new ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
        foreach (var property in PortholeDb.DateTimeOffsetProperties(modelBuilder.Model))
        {
            property.SetValueConverter(ticks);
        }
    }
}

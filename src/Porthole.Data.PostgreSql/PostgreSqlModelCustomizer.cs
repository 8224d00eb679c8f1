using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Porthole.Data.PostgreSql;

/// <summary>
/// What the model needs in PostgreSQL: names compared without regard to case (a nondeterministic ICU collation, so
/// equality and unique indexes ignore case as SQLite's NOCASE does), and <see cref="DateTimeOffset"/> as
/// <c>timestamp with time zone</c>, written in UTC (Npgsql refuses another offset).
/// </summary>
public sealed class PostgreSqlModelCustomizer(ModelCustomizerDependencies dependencies) : ModelCustomizer(dependencies)
{
    /// <summary>The collation of the case-insensitive names: ICU's root locale at strength 2 (case ignored, accents not).</summary>
    public const string CaseInsensitiveCollation = "porthole_nocase";

    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.Customize(modelBuilder, context);
        modelBuilder.HasCollation(CaseInsensitiveCollation, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        foreach (var property in PortholeDb.TakeCaseInsensitiveProperties(modelBuilder.Model))
        {
            property.SetCollation(CaseInsensitiveCollation);
        }

        var utc = new ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
        foreach (var property in PortholeDb.DateTimeOffsetProperties(modelBuilder.Model))
        {
            property.SetValueConverter(utc);
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Porthole.Data.PostgreSql;

/// <summary>
/// Lets <c>dotnet ef migrations add --project src/Porthole.Data.PostgreSql</c> build the PostgreSQL model without a
/// server or a database (making a migration never connects).
/// </summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PortholeDb>
{
    public PortholeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortholeDb>().UsePortholePostgreSql("Host=localhost;Database=porthole_design_time").Options);
}

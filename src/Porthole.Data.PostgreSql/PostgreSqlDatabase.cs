using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Porthole.Data.PostgreSql;

/// <summary>
/// Porthole's data in a PostgreSQL database (several servers on one database, issue 14): the options that open it, with
/// this project's migrations and its model details (<see cref="PostgreSqlModelCustomizer"/>).
/// </summary>
public static class PostgreSqlDatabase
{
    /// <summary>
    /// Configures <paramref name="builder"/> for the database of <paramref name="connectionString"/>, Npgsql's keywords
    /// (<c>Host=…;Database=…</c>; <see cref="PostgreSqlConnectionString.Parse"/> makes them of a <c>postgres://</c> URL).
    /// </summary>
    public static DbContextOptionsBuilder UsePortholePostgreSql(this DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PostgreSqlDatabase).Assembly.GetName().Name))
            .ReplaceService<IModelCustomizer, PostgreSqlModelCustomizer>();
    }

    /// <summary>As the other overload, for options of one context type (<c>new DbContextOptionsBuilder&lt;PortholeDb&gt;()</c>).</summary>
    public static DbContextOptionsBuilder<TContext> UsePortholePostgreSql<TContext>(this DbContextOptionsBuilder<TContext> builder, string connectionString)
        where TContext : DbContext
    {
        UsePortholePostgreSql((DbContextOptionsBuilder)builder, connectionString);
        return builder;
    }

    /// <summary>
    /// Whether <paramref name="exception"/> (or what it wraps) is PostgreSQL refusing a row that breaks a constraint
    /// (SQLSTATE class 23: unique, not null, foreign key, check).
    /// </summary>
    public static bool IsConstraintViolation(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: [ '2', '3', _, _, _ ] })
            {
                return true;
            }
        }

        return false;
    }
}

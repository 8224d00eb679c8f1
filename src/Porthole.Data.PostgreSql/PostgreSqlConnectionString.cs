using System.Globalization;
using Npgsql;

namespace Porthole.Data.PostgreSql;

/// <summary>
/// A PostgreSQL database as an operator names it: Npgsql's keywords (<c>Host=db;Database=porthole;Username=u</c>) or a
/// URL (<c>postgres://user:password@host:5432/porthole?sslmode=require</c>, also <c>postgresql://</c>). Errors say what is
/// wrong without ever repeating the value, which may hold a password.
/// </summary>
public static class PostgreSqlConnectionString
{
    /// <summary>Whether <paramref name="value"/> is written as a URL rather than as keywords.</summary>
    public static bool IsUrl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Npgsql's keywords for <paramref name="value"/>; a <see cref="FormatException"/> saying what is wrong.</summary>
    public static string Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var builder = IsUrl(value) ? FromUrl(value.Trim()) : FromKeywords(value);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("The PostgreSQL connection string names no host: give Host=… or a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL.");
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            throw new FormatException("The PostgreSQL connection string names no database: give Database=… or the URL's /DATABASE.");
        }

        return builder.ConnectionString;
    }

    /// <summary>Where the database is, for a log line: host, port, database and user, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port} as {builder.Username ?? "(default user)"}");
    }

    private static NpgsqlConnectionStringBuilder FromKeywords(string value)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new FormatException(
                "The database setting is neither a postgres:// URL nor a PostgreSQL connection string of Npgsql's keywords "
                + $"(Host=…;Database=…;Username=…): {Reason(e)}");
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host))
        {
            throw new FormatException("The postgres:// URL cannot be read; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters).");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = url.Host.Trim('[', ']') };
        if (!url.IsDefaultPort && url.Port > 0)
        {
            builder.Port = url.Port;
        }

        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var setting = Uri.UnescapeDataString(equals < 0 ? "" : pair[(equals + 1)..]);
            try
            {
                builder[key] = setting;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
            {
                throw new FormatException($"The postgres:// URL's parameter '{key}' is not one Npgsql takes with that value (e.g. sslmode=require).", e);
            }
        }

        return builder;
    }

    /// <summary>The builder's own words, which name a keyword at most; a password is never in them.</summary>
    private static string Reason(Exception e) => e.Message;
}

namespace Porthole.Cli.Output;

/// <summary>A plain text table: left-aligned columns two spaces apart, a header row in capitals, no colour.</summary>
public sealed class Table
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers;
    }

    public int Count => _rows.Count;

    public void Add(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"a row of this table has {_headers.Length} cells, not {cells.Length}", nameof(cells));
        }

        _rows.Add([.. cells.Select(c => OneLine.Of(c))]);
    }

    public void WriteTo(TextWriter writer, string indent = "", bool header = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var rows = header ? _rows.Prepend(_headers).ToList() : _rows;
        var widths = new int[_headers.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            var line = string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            writer.WriteLine(indent + line.TrimEnd());
        }
    }
}

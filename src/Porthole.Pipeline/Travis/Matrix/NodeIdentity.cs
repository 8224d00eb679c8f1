using System.Text;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Equality of config values as Ruby compares travis-yml's hashes: maps regardless of key order, lists in order, scalars
/// by their text (a YAML 1.1 boolean by its value, so <c>yes</c> is <c>true</c>). Each distinct value gets a number;
/// nodes are remembered by reference, so the keys every job shares are compared once per build, not once per job.
/// </summary>
internal sealed class NodeIdentity
{
    private readonly Dictionary<Node, int> _values = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Node, int> _envEntries = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _texts = new(StringComparer.Ordinal);

    /// <summary>The number of <paramref name="node"/>'s value: equal values, equal numbers.</summary>
    public int Of(Node node)
    {
        if (_values.TryGetValue(node, out var known))
        {
            return known;
        }

        var text = node switch
        {
            ScalarNode scalar => "s:" + Text(scalar),
            ListNode list => "l:" + string.Join(',', list.Items.Select(Of)),
            MapNode map => "m:" + string.Join(',', Sorted(map).Select(entry => $"{entry.Name.Length}:{entry.Name}={Of(entry.Value)}")),
            _ => "?",
        };
        var id = Intern(text);
        _values[node] = id;
        return id;
    }

    /// <summary>The number of an env entry's variables (<see cref="EnvIdentity"/>): <c>"A=1"</c> and <c>{A: 1}</c> are one entry.</summary>
    public int OfEnvEntry(Node entry)
    {
        if (_envEntries.TryGetValue(entry, out var known))
        {
            return known;
        }

        var text = entry switch
        {
            ScalarNode { IsNull: true } => EnvIdentity.OfPairs([]),
            ScalarNode scalar => EnvIdentity.OfText(scalar.Value),
            // A secure value is compared by its ciphertext as written (§B12; travis-yml compares the {secure: …} hashes).
            MapNode { Entries: [{ Name: TravisSecureValue.Key, Value: ScalarNode secure }] } => "secure:" + secure.Value,
            MapNode map when map.Entries.All(item => item.Value is ScalarNode) =>
                EnvIdentity.OfPairs(map.Entries.Select(item => KeyValuePair.Create(item.Name, ((ScalarNode)item.Value).Value))),
            _ => "node:" + Of(entry),
        };
        var id = Intern(text);
        _envEntries[entry] = id;
        return id;
    }

    /// <summary>A key for a whole job: its keys and their values' numbers, in key order, then <paramref name="extra"/>.</summary>
    public string OfJob(KeyedNodes keys, IReadOnlyList<Node>? env, string extra = "")
    {
        var text = new StringBuilder();
        foreach (var entry in keys.Entries.OrderBy(entry => entry.Name, StringComparer.Ordinal))
        {
            text.Append(entry.Name).Append('=').Append(Of(entry.Value)).Append(';');
        }

        if (env is not null)
        {
            text.Append("env=").AppendJoin(',', env.Select(OfEnvEntry)).Append(';');
        }

        return text.Append(extra).ToString();
    }

    private static IEnumerable<MapEntry> Sorted(MapNode map) =>
        map.Entries.GroupBy(entry => entry.Name, StringComparer.Ordinal).Select(same => same.Last()).OrderBy(entry => entry.Name, StringComparer.Ordinal);

    private static string Text(ScalarNode scalar)
    {
        if (scalar.IsNull)
        {
            return "n";
        }

        if (scalar is { IsPlain: true, Tag: null })
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                    return "b:true";
                case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                    return "b:false";
            }
        }

        return "t:" + scalar.Value;
    }

    private int Intern(string text)
    {
        if (!_texts.TryGetValue(text, out var id))
        {
            id = _texts.Count;
            _texts[text] = id;
        }

        return id;
    }
}

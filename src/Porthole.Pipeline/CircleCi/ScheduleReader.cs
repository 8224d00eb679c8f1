using System.Globalization;
using Cronos;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A workflow's <c>triggers:</c> (dialects.md §A6, CircleCI's legacy scheduled workflows): a list of
/// <c>{schedule: {cron, filters: {branches: …}}}</c>. The cron is a standard five-field one, in UTC; the branches filter
/// is required. Each schedule whose filter admits the branch compiled for (every schedule when no branch is known) is
/// added to <see cref="CircleCiContext.Schedules"/>.
/// </summary>
internal static class ScheduleReader
{
    private static readonly string[] Counts = ["no", "one", "two", "three", "four", "five", "six", "seven"];

    public static void Read(Node triggers, string workflow, CircleCiContext context)
    {
        var errors = context.Errors;
        if (Expect.List(triggers, "triggers", errors) is not { } list)
        {
            return;
        }

        if (list.Items.Count == 0)
        {
            errors.Add(triggers, "triggers is an empty list; give a schedule, or remove the key to run the workflow on pushes");
            return;
        }

        foreach (var item in list.Items)
        {
            if (Expect.Map(item, "a trigger", errors) is not { } map)
            {
                continue;
            }

            foreach (var entry in map.Entries.Where(entry => entry.Name != "schedule"))
            {
                errors.Add(entry.Key, $"unknown trigger '{entry.Name}'; a workflow trigger is a schedule:");
            }

            if (!map.TryGet("schedule", out var schedule))
            {
                errors.Add(item, "a trigger needs a schedule: {cron: …, filters: {branches: …}}");
                continue;
            }

            ReadSchedule(schedule, workflow, context);
        }
    }

    private static void ReadSchedule(MapEntry schedule, string workflow, CircleCiContext context)
    {
        var errors = context.Errors;
        if (Expect.Map(schedule.Value, "schedule", errors) is not { } map)
        {
            return;
        }

        foreach (var entry in map.Entries.Where(entry => entry.Name is not ("cron" or "filters")))
        {
            errors.Add(entry.Key, $"unknown schedule key '{entry.Name}'; a schedule takes cron and filters");
        }

        string? cron = null;
        if (map.Get("cron") is { } cronNode)
        {
            cron = ReadCron(cronNode, context);
        }
        else
        {
            errors.Add(schedule.Key, "a schedule needs a cron (five fields, in UTC: minute hour day month weekday)");
        }

        NameFilter? branches = null;
        if (map.TryGet("filters", out var filters))
        {
            branches = ReadFilters(filters, errors);
        }
        else
        {
            errors.Add(schedule.Key, "a schedule needs filters: {branches: {only: …}}; CircleCI requires a branches filter");
        }

        if (cron is null || branches is null)
        {
            return;
        }

        if (context.Values.Branch is not { } branch || branches.Admits(branch))
        {
            context.Schedules.Add(new ScheduleTrigger(workflow, cron));
        }
    }

    private static string? ReadCron(Node node, CircleCiContext context)
    {
        if (context.Text(node, "cron") is not { } cron)
        {
            return null;
        }

        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 5)
        {
            var count = fields < Counts.Length ? Counts[fields] : fields.ToString(CultureInfo.InvariantCulture);
            context.Errors.Add(node, $"a cron has five fields (minute hour day month weekday), found {count}: '{cron}'");
            return null;
        }

        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
            return cron.Trim();
        }
        catch (CronFormatException exception)
        {
            context.Errors.Add(node, $"'{cron}' is not a valid cron: {exception.Message.TrimEnd('.')}");
            return null;
        }
    }

    /// <summary>The schedule's branches filter; a schedule filters by branch only, and must.</summary>
    private static NameFilter? ReadFilters(MapEntry filters, ErrorList errors)
    {
        if (Expect.Map(filters.Value, "schedule filters", errors) is not { } map)
        {
            return null;
        }

        foreach (var entry in map.Entries.Where(entry => entry.Name != "branches"))
        {
            errors.Add(entry.Key, entry.Name == "tags"
                ? "a schedule filters branches only; it never runs on a tag"
                : $"unknown key '{entry.Name}' in schedule filters; a schedule takes a branches filter");
        }

        if (!map.TryGet("branches", out var branches))
        {
            errors.Add(filters.Key, "a schedule needs a branches filter (filters: {branches: {only: …}})");
            return null;
        }

        return NameFilter.Read(branches.Value, "branches", errors);
    }
}

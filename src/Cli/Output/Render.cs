using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Messaging.Cli.Output;

/// <summary>What the commands print: Spectre tables for people, JSON (camelCase, one document) for scripts.</summary>
internal static class Render
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Json(CliContext context, object value) => context.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A table whose cells are plain text (no markup: message types and errors may hold brackets).</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column)));
        return table;
    }

    public static void Row(Table table, params object?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(Cell(c))).ToArray());

    public static void Line(CliContext context, string text) => context.Console.WriteLine(text);

    /// <summary>Runs <paramref name="work"/>, which reports a running count (rows deleted so far), with a live line on a
    /// terminal (<paramref name="describe"/> of the count) and plainly for <c>--json</c>; returns its result.</summary>
    public static async Task<long> CountingAsync(CliContext context, string what, Func<long, string> describe, Func<Action<long>?, Task<long>> work)
    {
        if (context.Json) return await work(null);
        long result = 0;
        await context.Console.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask(what, maxValue: double.MaxValue);
            result = await work(n => task.Description = describe(n));
            task.StopTask();
        });
        return result;
    }

    public static string Cell(object? value) => value switch
    {
        null => "-",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };

    /// <summary>A time span for a person: <c>850 ms</c>, <c>42 s</c>, <c>7 min</c>, <c>3.5 h</c>, <c>2.1 d</c>.</summary>
    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 1 => $"{age.TotalMilliseconds:0} ms",
        < 120 => $"{age.TotalSeconds:0} s",
        < 7200 => $"{age.TotalMinutes:0} min",
        < 172800 => $"{age.TotalHours:0.#} h",
        _ => $"{age.TotalDays:0.#} d",
    };

    public static string Shorten(string? text, int length) =>
        text is null ? "-" : text.Length <= length ? text : text[..(length - 1)] + "…";
}

using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Dashboard.Pages;

/// <summary>Builds the pages: every value passes through <see cref="Text"/> (HTML-encoded); the style sheet is inline, so
/// nothing is loaded from anywhere else.</summary>
internal sealed class Html
{
    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
        header{background:#24292f;color:#fff;padding:10px 20px}header a{color:#fff;margin-right:16px;text-decoration:none}
        main{padding:16px 20px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
        table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#eaeef2}td.n{text-align:right}.bad{color:#b42318;font-weight:600}.ok{color:#1a7f37;font-weight:600}
        pre{background:#fff;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;word-break:break-all}
        form.inline{display:inline}button{padding:4px 12px;margin-right:8px}input[type=text]{width:320px}
        .muted{color:#57606a}figure.chart{display:inline-block;margin:0 16px 8px 0}figcaption{font-size:12px;color:#57606a}
        """;

    private readonly StringBuilder _body = new();
    private readonly string _prefix;

    public Html(string prefix) => _prefix = prefix;

    /// <summary>A value HTML-encoded, as <see cref="Plain"/> writes it.</summary>
    public static string Text(object? value) => WebUtility.HtmlEncode(Plain(value));

    /// <summary>A value as text, not encoded (for text that <see cref="Paragraph"/> or a cell encodes): times in UTC as
    /// <c>yyyy-MM-dd HH:mm:ssZ</c>, numbers in the invariant culture, null as <c>-</c>.</summary>
    public static string Plain(object? value) => value switch
    {
        null => "-",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        TimeSpan t => t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#} s" : t.TotalMinutes < 120 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalHours:0.#} h",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A bar chart of one value per minute, as inline SVG (no script), each bar titled with its minute and value.</summary>
    public Html Chart(string title, IReadOnlyList<(DateTimeOffset Minute, long Value)> points)
    {
        const int Width = 300, Height = 60, Bar = Width / 60;
        var highest = points.Count == 0 ? 0 : points.Max(p => p.Value);
        var max = Math.Max(1, highest);
        _body.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><figcaption>{Text(title)}: {Text(points.Count == 0 ? 0 : points[^1].Value)} this minute, at most {Text(highest)}</figcaption>")
            .Append(CultureInfo.InvariantCulture, $"<svg width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Text(title)}\"><rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>");
        for (var i = 0; i < points.Count; i++)
        {
            var h = points[i].Value == 0 ? 0 : Math.Max(1, (int)(points[i].Value * (Height - 2) / max));
            _body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{i * Bar}\" y=\"{Height - h}\" width=\"{Bar - 1}\" height=\"{h}\" fill=\"#0969da\"><title>{Text(points[i].Minute.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture))}Z: {Text(points[i].Value)}</title></rect>");
        }
        _body.Append("</svg></figure>\n");
        return this;
    }

    /// <summary>The opening of a POST form to <paramref name="path"/> inside the dashboard, with the request's antiforgery
    /// token as its first field (every change is such a POST).</summary>
    public string PostForm(HttpContext context, string path)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<form method=\"post\" action=\"{Text(_prefix + path)}\"><input type=\"hidden\" name=\"{Text(tokens.FormFieldName)}\" value=\"{Text(tokens.RequestToken)}\">";
    }

    /// <summary>A bulleted list of text items.</summary>
    public Html List(IEnumerable<string> items) => Raw("<ul>" + string.Concat(items.Select(i => $"<li>{Text(i)}</li>")) + "</ul>");

    /// <summary>A link inside the dashboard; <paramref name="path"/> is already URL-encoded where needed.</summary>
    public string Link(string path, object? text) => $"<a href=\"{Text(_prefix + path)}\">{Text(text)}</a>";

    public Html Heading(string text, int level = 2) => Raw($"<h{level}>{Text(text)}</h{level}>");

    public Html Paragraph(string text, string? cssClass = null) => Raw(cssClass is null ? $"<p>{Text(text)}</p>" : $"<p class=\"{cssClass}\">{Text(text)}</p>");

    public Html Raw(string html)
    {
        _body.Append(html).Append('\n');
        return this;
    }

    /// <summary>A table; each cell is text unless it is an <see cref="HtmlCell"/>.</summary>
    public Html Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        _body.Append("<table><tr>");
        foreach (var header in headers) _body.Append("<th>").Append(Text(header)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row)
                _body.Append(cell switch
                {
                    HtmlCell html => $"<td>{html.Value}</td>",
                    int or long or double => $"<td class=\"n\">{Text(cell)}</td>",
                    _ => $"<td>{Text(cell)}</td>",
                });
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    public string Page(string title) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{Text(title)}} · Messaging</title><style>{{Style}}</style></head>
        <body><header><strong>Messaging</strong> &nbsp; {{Link("/", "Overview")}}{{Link("/dead-letters", "Dead letters")}}{{Link("/brokers", "Broker DLQs")}}{{Link("/keys", "Held keys")}}{{Link("/outbox", "Outbox")}}{{Link("/inbox", "Inbox")}}{{Link("/guarantees", "Guarantees")}}</header>
        <main><h1>{{Text(title)}}</h1>
        {{_body}}</main></body></html>
        """;
}

/// <summary>A table cell that is already HTML (a link, a form).</summary>
internal sealed record HtmlCell(string Value);

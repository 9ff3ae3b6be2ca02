using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Dashboard.Tests;

/// <summary>
/// The on-call story over HTTP against a real Kestrel: poison messages appear in their failure group, a person opens one
/// (its headers and body, a secret header hidden), confirms the group's re-drive with its count and a reason, and the
/// re-drive job is recorded under their name; an anonymous request, a user without the change policy, a form without its
/// antiforgery token and a read-only dashboard are all refused.
/// </summary>
public sealed partial class DashboardTests
{
    internal const string Fingerprint = "0a1b2c3d4e5f";

    /// <summary>Dead letters as a transport records them: <paramref name="poison"/> of one failure group, then
    /// <paramref name="other"/> of another; their message ids in that order.</summary>
    internal static async Task<List<string>> SeedAsync(DashboardApp app, int poison, int other)
    {
        var ids = new List<string>();
        await app.QueryAsync(async db =>
        {
            for (var i = 0; i < poison + other; i++)
            {
                var id = Envelope.NewMessageId();
                ids.Add(id);
                var envelope = new Envelope
                {
                    MessageId = id, MessageType = "orders.placed", Destination = "orders", PartitionKey = $"o-{i}",
                    Body = Encoding.UTF8.GetBytes($"{{\"orderId\":\"o-{i}\"}}"),
                    Headers = new Dictionary<string, string> { ["authorization"] = "Bearer s3cr3t", ["tenant"] = "acme" },
                };
                var poisoned = i < poison;
                db.Add(DeadLetter.FromBrokerCopy(envelope, new Dictionary<string, string>
                {
                    [HeaderNames.DeadLetterReason] = poisoned ? "handler apply-order failed after 3 attempt(s)" : "unknown message type 'orders.placed'",
                    [HeaderNames.DeadLetterExceptionType] = poisoned ? "System.InvalidOperationException" : "",
                    [HeaderNames.DeadLetterExceptionMessage] = poisoned ? $"order o-{i} has no customer" : "",
                    [HeaderNames.DeadLetterHandler] = poisoned ? "apply-order" : "",
                    [HeaderNames.DeadLetterFingerprint] = poisoned ? Fingerprint : "ffffffffffff",
                    [HeaderNames.DeadLetterFailureSite] = poisoned ? "Orders.ApplyOrderHandler.HandleAsync" : "",
                    ["authorization"] = "Bearer s3cr3t",
                }, "RabbitMq", "order-service", "order-service.dlq"));
            }
            return await db.SaveChangesAsync();
        });
        return ids;
    }

    [Fact]
    public async Task An_operator_finds_a_poison_group_opens_a_message_and_redrives_the_group_after_confirming_its_count()
    {
        await using var app = await DashboardApp.StartAsync();
        var ids = await SeedAsync(app, poison: 2, other: 1);
        using var alice = app.Client("alice", "ops");

        var overview = await alice.GetStringAsync("/messaging/");
        Assert.Contains(Fingerprint, overview, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException at Orders.ApplyOrderHandler.HandleAsync", overview, StringComparison.Ordinal);
        Assert.Contains("3 parked in 2 group(s)", overview, StringComparison.Ordinal);

        var group = await alice.GetStringAsync($"/messaging/dead-letters?group={Fingerprint}");
        Assert.Contains(ids[0], group, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[2], group, StringComparison.Ordinal);
        var message = await alice.GetStringAsync($"/messaging/dead-letters/{ids[0]}");
        Assert.Contains("order o-0 has no customer", message, StringComparison.Ordinal);
        Assert.Contains("{&quot;orderId&quot;:&quot;o-0&quot;}", message, StringComparison.Ordinal); // the body, HTML-encoded
        Assert.Contains("acme", message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", message, StringComparison.Ordinal); // a secret header is hidden

        var confirm = await alice.GetStringAsync($"/messaging/confirm?action=redrive&group={Fingerprint}");
        Assert.Contains("Re-drive 2 dead letter(s)", confirm, StringComparison.Ordinal);
        var redriven = await alice.PostAsync("/messaging/redrive", Form(confirm, ("reason", "customer lookup fixed")));
        var result = await redriven.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, redriven.StatusCode);
        Assert.Contains("2 dead letter(s) re-driven", result, StringComparison.Ordinal);

        var (statuses, outbox, job) = await app.QueryAsync(async db => (
            await db.Set<DeadLetter>().OrderBy(d => d.Id).Select(d => d.Status).ToListAsync(),
            await db.Set<OutboxMessage>().OrderBy(m => m.Id).Select(m => m.MessageId).ToListAsync(),
            await db.Set<RedriveJob>().SingleAsync()));
        Assert.Equal([DeadLetterStatus.Redriven, DeadLetterStatus.Redriven, DeadLetterStatus.Parked], statuses);
        Assert.Equal(ids[..2], outbox);
        Assert.Equal(("alice (dashboard)", "customer lookup fixed", 2), (job.RequestedBy, job.Reason, job.Done));
    }

    [Fact]
    public async Task Anonymous_requests_read_only_users_and_forms_without_their_token_are_refused()
    {
        await using var app = await DashboardApp.StartAsync();
        var ids = await SeedAsync(app, poison: 1, other: 0);

        using var anonymous = app.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/messaging/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/messaging/dead-letters/{ids[0]}")).StatusCode);

        using var bob = app.Client("bob"); // signed in, without the role "ops" that ops-write asks for
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/messaging/")).StatusCode);
        Assert.DoesNotContain("Re-drive…", await bob.GetStringAsync($"/messaging/dead-letters/{ids[0]}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync($"/messaging/confirm?action=redrive&id={ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync("/messaging/redrive",
            new FormUrlEncodedContent([new("id", ids[0]), new("reason", "r")]))).StatusCode);

        using var alice = app.Client("alice", "ops");
        Assert.Contains("Re-drive…", await alice.GetStringAsync($"/messaging/dead-letters/{ids[0]}"), StringComparison.Ordinal);
        var forged = await alice.PostAsync("/messaging/redrive", new FormUrlEncodedContent([new("id", ids[0]), new("reason", "r")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(DeadLetterStatus.Parked, await app.QueryAsync(db => db.Set<DeadLetter>().Select(d => d.Status).SingleAsync()));
        Assert.Equal(0, await app.QueryAsync(db => db.Set<OutboxMessage>().CountAsync()));
    }

    [Fact]
    public async Task A_read_only_dashboard_maps_no_change_and_shows_no_button()
    {
        await using var app = await DashboardApp.StartAsync(o => o.ReadOnly = true);
        var ids = await SeedAsync(app, poison: 1, other: 0);
        using var alice = app.Client("alice", "ops");
        Assert.DoesNotContain("Re-drive", await alice.GetStringAsync($"/messaging/dead-letters?group={Fingerprint}"), StringComparison.Ordinal);
        Assert.DoesNotContain("Re-drive", await alice.GetStringAsync($"/messaging/dead-letters/{ids[0]}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/messaging/confirm?action=redrive&id={ids[0]}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await alice.PostAsync("/messaging/redrive", new FormUrlEncodedContent([new("id", ids[0])]))).StatusCode);
        Assert.Equal(DeadLetterStatus.Parked, await app.QueryAsync(db => db.Set<DeadLetter>().Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task Messages_chosen_on_a_group_page_are_confirmed_and_redriven_and_the_others_stay_parked()
    {
        await using var app = await DashboardApp.StartAsync();
        var ids = await SeedAsync(app, poison: 3, other: 0);
        using var alice = app.Client("alice", "ops");
        Assert.Contains($"<td>apply-order</td><td>System.InvalidOperationException at Orders.ApplyOrderHandler.HandleAsync</td>",
            await alice.GetStringAsync("/messaging/"), StringComparison.Ordinal); // the group's handler

        var group = await alice.GetStringAsync($"/messaging/dead-letters?group={Fingerprint}");
        Assert.Equal(3, Regex.Count(group, "<input type=\"checkbox\" name=\"id\""));
        var confirm = await alice.PostAsync("/messaging/confirm", Form(group, ("action", "redrive"), ("id", ids[0]), ("id", ids[2])));
        var confirmPage = await confirm.Content.ReadAsStringAsync();
        Assert.Contains("Re-drive 2 dead letter(s)", confirmPage, StringComparison.Ordinal);
        var redriven = await alice.PostAsync("/messaging/redrive", Form(confirmPage, ("reason", "two of them checked by hand")));
        Assert.Contains("2 dead letter(s) re-driven", await redriven.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var statuses = await app.QueryAsync(db => db.Set<DeadLetter>().OrderBy(d => d.Id).Select(d => d.Status).ToListAsync());
        Assert.Equal([DeadLetterStatus.Redriven, DeadLetterStatus.Parked, DeadLetterStatus.Redriven], statuses);

        var forged = await alice.PostAsync("/messaging/confirm", new FormUrlEncodedContent([new("action", "discard"), new("id", ids[1])]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // a selection without the page's antiforgery token
    }

    [Fact]
    public async Task Dead_letters_recorded_without_a_fingerprint_form_the_group_named_dash_which_opens_and_redrives()
    {
        await using var app = await DashboardApp.StartAsync();
        var id = Envelope.NewMessageId();
        await app.QueryAsync(db => // an older version or a foreign consumer recorded it without a fingerprint
        {
            db.Add(DeadLetter.FromBrokerCopy(new Envelope { MessageId = id, MessageType = "orders.placed", Destination = "orders", Body = new byte[] { 1 } },
                new Dictionary<string, string> { [HeaderNames.DeadLetterReason] = "unknown message type" }, "RabbitMq", "order-service", "order-service.dlq"));
            return db.SaveChangesAsync();
        });
        using var alice = app.Client("alice", "ops");
        Assert.Contains("<a href=\"/messaging/dead-letters?group=-\">-</a>", await alice.GetStringAsync("/messaging/"), StringComparison.Ordinal);
        Assert.Contains(id, await alice.GetStringAsync("/messaging/dead-letters?group=-"), StringComparison.Ordinal);
        Assert.Contains("Re-drive 1 dead letter(s)", await alice.GetStringAsync("/messaging/confirm?action=redrive&group=-"), StringComparison.Ordinal);
    }

    /// <summary>The confirmation page's form, hidden fields (the antiforgery token among them) and all, plus <paramref name="fields"/>.</summary>
    internal static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields)
    {
        var hidden = HiddenInput().Matches(page).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)));
        return new FormUrlEncodedContent(hidden.Concat(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();
}

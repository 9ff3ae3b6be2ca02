using System.Net;
using Messaging.Operations.Tests.Infrastructure;
using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using OpenQA.Selenium;

namespace Messaging.Operations.Tests;

/// <summary>
/// The on-call story in Debian's headless Chromium, on the dashboard mounted in the running service, on each live broker
/// and database: the transport parks a poison order in its failure group; an anonymous visitor is refused (401); a
/// read-only user sees the group without its re-drive link, and a re-drive POST from them answers 403 and writes nothing;
/// the operator opens the group and the message, sees the broker's own copy beside the table, re-drives the group after
/// the handler's fix, follows the message until its page says it was applied, exactly once, and the overview says
/// nothing is parked. Screenshots of the operator's steps go to
/// MESSAGING_DASHBOARD_SCREENSHOTS (docs/dashboard holds the README's, from the RabbitMQ + PostgreSQL run), else to a
/// temporary folder.
/// </summary>
public abstract class OnCallDashboardTests(OpsFixture fixture, string shotPrefix)
{
    [SkippableFact]
    public async Task Poison_group_is_redriven_in_a_browser_by_the_operator_and_refused_to_anonymous_and_read_only_users()
    {
        Skip.IfNot(Chromium.Installed, Chromium.Missing);
        await using var app = OpsApp.CreateWithDashboard(fixture);
        await app.StartAsync();
        var good = await app.PlaceAsync("o-1");
        var poison = await app.PlaceAsync("o-2", poison: true);
        await Wait.UntilAsync(async () => await app.AppliedAsync(good) == 1 && await app.DeadLetterAsync(poison) is not null,
            "the good order applied and the poison one recorded as a dead letter");
        var fingerprint = (await app.DeadLetterAsync(poison))!.Fingerprint!;
        var overview = new Uri(app.Address, OpsApp.DashboardPath + "/");
        var group = new Uri(app.Address, $"{OpsApp.DashboardPath}/dead-letters?group={fingerprint}");
        var shots = Chromium.ScreenshotFolder();
        using var browser = Chromium.Start();

        // Anonymous: refused, in the browser and over HTTP.
        browser.Navigate().GoToUrl(overview);
        Assert.DoesNotContain("Dead letters by failure", browser.PageSource, StringComparison.Ordinal);
        Assert.DoesNotContain(fingerprint, browser.PageSource, StringComparison.Ordinal);
        using (var anonymous = app.Client(null))
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(overview)).StatusCode);

        // Read-only (signed in, without the role ops): sees the group but no re-drive; asking anyway is forbidden.
        Chromium.SignIn(browser, app.Address, "bob");
        browser.Navigate().GoToUrl(group);
        Assert.Single(browser.FindElements(By.LinkText(poison)));
        Assert.Empty(browser.FindElements(By.LinkText("Re-drive this group…")));
        using (var bob = app.Client("bob"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync($"{OpsApp.DashboardPath}/confirm?action=redrive&group={fingerprint}")).StatusCode);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["group"] = fingerprint, ["expected"] = "1", ["reason"] = "bob tries" });
            Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"{OpsApp.DashboardPath}/redrive", form)).StatusCode);
        }
        Assert.Equal(0, await app.QueryAsync(db => db.Set<RedriveJob>().CountAsync()));
        var row = (await app.DeadLetterAsync(poison))!;
        Assert.Equal((DeadLetterStatus.Parked, 0), (row.Status, row.RedriveCount));

        // The operator: the group on the overview, its message with the order in the body, then the re-drive after the fix.
        Chromium.SignIn(browser, app.Address, "alice", "ops");
        browser.Navigate().GoToUrl(overview);
        Assert.Contains("1 parked in 1 group(s)", Chromium.MainText(browser), StringComparison.Ordinal);
        Chromium.Shot(browser, shots, shotPrefix + "1-overview");
        Chromium.Follow(browser, browser.FindElement(By.LinkText(fingerprint)));
        Chromium.Follow(browser, browser.FindElement(By.LinkText(poison)));
        Assert.Contains("order o-2 has no customer", Chromium.MainText(browser), StringComparison.Ordinal);
        Assert.Contains("\"o-2\"", browser.FindElement(By.TagName("pre")).Text, StringComparison.Ordinal);
        Chromium.Shot(browser, shots, shotPrefix + "2-message");
        // Beside the table, the broker's own dead-letter copy, with its row's status.
        Chromium.Follow(browser, browser.FindElement(By.LinkText("Broker DLQs")));
        await Wait.UntilAsync(() =>
        {
            browser.Navigate().Refresh();
            return Task.FromResult(Chromium.MainText(browser).Contains("1 cop(ies) read, 1 of them in the dead-letters table", StringComparison.Ordinal));
        }, "the broker's copy of the poison order shown beside its row", 20_000);
        Assert.Single(browser.FindElements(By.LinkText(poison)));
        Chromium.Shot(browser, shots, shotPrefix + "5-broker");
        browser.Navigate().GoToUrl(group);
        app.Version.Fixed = true;
        Chromium.Follow(browser, browser.FindElement(By.LinkText("Re-drive this group…")));
        var submit = browser.FindElement(By.CssSelector("button[type=submit]"));
        Assert.Equal("Re-drive 1 dead letter(s)", submit.Text);
        browser.FindElement(By.Name("reason")).SendKeys("apply-order fixed: customer lookup");
        Chromium.Shot(browser, shots, shotPrefix + "3-confirm");
        Chromium.Follow(browser, submit);
        Assert.Contains("1 dead letter(s) re-driven", Chromium.MainText(browser), StringComparison.Ordinal);
        await Wait.UntilAsync(async () => await app.AppliedAsync(poison) == 1 && (await app.DeadLetterAsync(poison))!.Status == DeadLetterStatus.Redriven,
            "the fixed handler applied the re-driven order");
        Chromium.Follow(browser, browser.FindElement(By.LinkText(poison))); // "follow them": the message's page says it was applied
        Assert.Contains("Now: handled by 1 handler(s): apply-order", Chromium.MainText(browser), StringComparison.Ordinal);
        browser.Navigate().Back();
        Chromium.Follow(browser, browser.FindElement(By.LinkText("Back to the overview")));
        Assert.Contains("nothing parked", Chromium.MainText(browser), StringComparison.Ordinal);
        Chromium.Shot(browser, shots, shotPrefix + "4-after");

        var job = await app.QueryAsync(db => db.Set<RedriveJob>().SingleAsync());
        Assert.Equal(("alice (dashboard)", "apply-order fixed: customer lookup", 1), (job.RequestedBy, job.Reason, job.Done));
        await app.StopAsync();
        Assert.Equal((1, 1), (await app.AppliedAsync(good), await app.AppliedAsync(poison)));
    }
}

public sealed class RabbitMqPostgresOnCallDashboard(RabbitPostgres fixture) : OnCallDashboardTests(fixture, ""), IClassFixture<RabbitPostgres>;

public sealed class KafkaSqliteOnCallDashboard(KafkaSqlite fixture) : OnCallDashboardTests(fixture, "kafka-"), IClassFixture<KafkaSqlite>;

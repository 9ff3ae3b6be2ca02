using Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Messaging.Dashboard.Tests;

/// <summary>
/// The on-call story in Debian's headless Chromium (eng/chromium.sh installs it; nothing is downloaded): the person opens
/// the dashboard, finds the poison group, opens one message, re-drives the group with a reason after the confirmation, and
/// sees nothing parked any more. Screenshots of each step go to MESSAGING_DASHBOARD_SCREENSHOTS (docs/dashboard holds the
/// README's), else to the test's temporary folder.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [SkippableFact]
    public async Task An_operator_redrives_a_poison_group_in_a_real_browser()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), $"needs Debian's chromium and chromium-driver ({Chromium}, {ChromeDriver}): bash eng/chromium.sh");
        await using var app = await DashboardApp.StartAsync();
        var ids = await DashboardTests.SeedAsync(app, poison: 3, other: 1);
        var shots = Environment.GetEnvironmentVariable("MESSAGING_DASHBOARD_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "messaging-dashboard-shots");
        Directory.CreateDirectory(shots);

        using var browser = Start();
        var root = new Uri(app.Address, "/messaging/");
        browser.Navigate().GoToUrl(root);
        Assert.DoesNotContain(DashboardTests.Fingerprint, browser.PageSource, StringComparison.Ordinal); // not signed in: refused
        browser.Navigate().GoToUrl(app.Address); // sign in on a page of the app
        browser.Manage().Cookies.AddCookie(new Cookie("X-User", "alice", "/"));
        browser.Manage().Cookies.AddCookie(new Cookie("X-Roles", "ops", "/"));

        browser.Navigate().GoToUrl(root);
        Assert.Contains("4 parked in 2 group(s)", browser.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        Shot(browser, shots, "1-overview");
        browser.FindElement(By.LinkText(DashboardTests.Fingerprint)).Click();
        browser.FindElement(By.LinkText(ids[0])).Click();
        Assert.Contains("order o-0 has no customer", browser.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        Shot(browser, shots, "2-message");
        browser.Navigate().Back();
        browser.FindElement(By.LinkText("Re-drive this group…")).Click();
        Assert.Equal("Re-drive 3 dead letter(s)", browser.FindElement(By.CssSelector("button[type=submit]")).Text);
        browser.FindElement(By.Name("reason")).SendKeys("customer lookup fixed");
        Shot(browser, shots, "3-confirm");
        browser.FindElement(By.CssSelector("button[type=submit]")).Click();
        Assert.Contains("3 dead letter(s) re-driven", browser.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        browser.FindElement(By.LinkText("Back to the overview")).Click();
        Assert.Contains("1 parked in 1 group(s)", browser.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        Shot(browser, shots, "4-after");

        var job = await app.QueryAsync(db => db.Set<RedriveJob>().SingleAsync());
        Assert.Equal(("alice (dashboard)", "customer lookup fixed", 3), (job.RequestedBy, job.Reason, job.Done));
        Assert.Equal(ids[..3], await app.QueryAsync(db => db.Set<OutboxMessage>().OrderBy(m => m.Id).Select(m => m.MessageId).ToListAsync()));
    }

    private static ChromeDriver Start()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,860");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static void Shot(ChromeDriver browser, string folder, string name) =>
        browser.GetScreenshot().SaveAsFile(Path.Combine(folder, name + ".png"));
}

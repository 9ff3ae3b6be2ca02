using Messaging.Benchmarks.E2e;

namespace Messaging.Benchmarks.Peers.Wolverine;

/// <summary>
/// The row-writing handler. Wolverine's EF Core transactional middleware (AutoApplyTransactions) saves the row and
/// marks the inbox envelope handled in one transaction, like our inbox filter.
/// </summary>
public static class ApplyOrderHandler
{
    public static void Handle(OrderPlaced message, PeerDbContext db) => db.AppliedOrders.Add(AppliedOrder.For(message));
}

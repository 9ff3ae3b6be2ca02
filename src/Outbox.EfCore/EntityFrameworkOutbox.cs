using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Messaging.Outbox;

/// <summary>Adds outbox rows to the scoped DbContext; wakes the dispatcher once the context saved them.</summary>
internal sealed class EntityFrameworkOutbox<TContext>(TContext db, IEnvelopeFactory envelopes, OutboxSignal signal) : IOutbox
    where TContext : DbContext
{
    private bool _listening;

    public void Enqueue<TMessage>(TMessage message, PublishOptions? options = null) where TMessage : notnull
    {
        ArgumentNullException.ThrowIfNull(message);
        Enqueue(envelopes.Create(message, typeof(TMessage), options));
    }

    public void Enqueue(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        db.Set<OutboxMessage>().Add(OutboxRows.ToRow(envelope));
        if (_listening) return;
        // Inside an explicit transaction SavedChanges fires before the commit; the dispatcher then finds the
        // rows on its next poll (within PollIntervalMs) instead.
        db.SavedChanges += OnSavedChanges;
        _listening = true;
    }

    private void OnSavedChanges(object? sender, SavedChangesEventArgs e)
    {
        db.SavedChanges -= OnSavedChanges;
        _listening = false;
        signal.Wake();
    }
}

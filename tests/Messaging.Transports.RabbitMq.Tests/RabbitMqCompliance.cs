using Messaging.Testing;

namespace Messaging.RabbitMq.Tests;

public sealed class RabbitMqCompliance(RabbitMqFixture f) : UnroutableDetectionCompliance<RabbitMqFixture>(f);

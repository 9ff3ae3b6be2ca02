using Messaging.Compliance;

namespace Messaging.RabbitMq.Tests;

public sealed class RabbitMqCompliance(RabbitMqFixture f) : UnroutableDetectionCompliance<RabbitMqFixture>(f);

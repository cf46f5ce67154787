// swift-tools-version:6.0
// Swift 6 language mode (strict concurrency) is the default for tools version 6.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// A service executable: its entry point, routes, domain logic and SQL migrations under `Services/<name>`.
func service(_ name: String, dependencies extra: [Target.Dependency] = [], resources: [Resource] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: extra + [
            "ServiceKit", "Postgres", "Messaging", "Common",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        path: "Services/\(name)",
        resources: [.copy("Migrations")] + resources,
        swiftSettings: swiftSettings
    )
}

let package = Package(
    name: "marketplace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "OrderService", targets: ["OrderService"]),
        .executable(name: "InventoryService", targets: ["InventoryService"]),
        .executable(name: "DeliveryService", targets: ["DeliveryService"]),
        .executable(name: "NotificationService", targets: ["NotificationService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries, found through pkg-config (Debian: libpq-dev, librabbitmq-dev).
        .systemLibrary(
            name: "CLibPQ",
            path: "Shared/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CRabbitMQ",
            path: "Shared/CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Shared/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // What every other module uses: the retry policy and the logging metadata keys.
        .target(name: "Common", path: "Shared/Common", swiftSettings: swiftSettings),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", "Common",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Postgres",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "CRabbitMQ", "Common",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Messaging",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SMTP",
            dependencies: ["CCurl"],
            path: "Shared/SMTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Postgres", "Messaging", "Common",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceKit",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        service("OrderService", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        service("InventoryService"),
        service("DeliveryService", dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")]),
        service(
            "NotificationService",
            dependencies: ["SMTP", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            resources: [.copy("Templates")]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Postgres", "Messaging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "TestSupport",
                "Postgres", "Messaging", "ServiceKit", "SMTP", "CCurl", "Common",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SharedTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "TestSupport", "OrderService", "InventoryService", "DeliveryService", "NotificationService",
                "Postgres", "Messaging", "ServiceKit", "Common", "SMTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/ServiceTests",
            swiftSettings: swiftSettings
        ),
    ]
)

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A Neo4j 5 Community DBMS for redgov's tests and benchmarks, on loopback only.
 *
 * <p>Usage: {@code java -cp 'lib/*' Launcher.java DIR PAGECACHE_MIB TX_MIB TX_TOTAL_MIB [REPLAN_S]}.
 * TX_MIB bounds one transaction's memory ({@code db.memory.transaction.max}) and TX_TOTAL_MIB
 * all transactions' together ({@code dbms.memory.transaction.total.max}), so a read that
 * builds a huge list fails with a memory error instead of exhausting the heap. The heap is the JVM's
 * ({@code -Xmx}, set by {@code tests/neo4j/server}). DIR holds the data ({@code DIR/data}),
 * Neo4j's own logs, and {@code DIR/password}, written by the caller (mode 0600) so the
 * secret never appears on a command line. Bolt binds {@code 127.0.0.1} on a port the
 * kernel picks (port 0, so no race with other servers on a shared machine); once the
 * {@code neo4j} user has that password and Bolt listens, the port goes to
 * {@code DIR/port} (written atomically: its presence means "ready"). SIGTERM shuts the
 * DBMS down cleanly (a JVM shutdown hook), so the next start finds a consistent store.
 *
 * <p>REPLAN_S (optional, seconds) sets {@code dbms.cypher.min_replan_interval} and stops the
 * divergence threshold's decay: a plan is kept that long whatever the statistics do. The test
 * suite passes it because every test wipes the graph and loads a small one, so Neo4j's
 * default (10 s) replanned each long text in nearly every test; plans do not change answers.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // The DBMS's own threads would keep a failed start alive; exit so the caller
            // sees the failure (the shutdown hook still closes the store cleanly).
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: Launcher DIR PAGECACHE_MIB TX_MIB TX_TOTAL_MIB [REPLAN_S]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        long pagecacheMib = Long.parseLong(args[1]);
        long txMib = Long.parseLong(args[2]);
        long txTotalMib = Long.parseLong(args[3]);
        long replanSeconds = args.length == 5 ? Long.parseLong(args[4]) : 0;
        String password = Files.readString(home.resolve("password"), StandardCharsets.UTF_8).strip();
        if (password.length() < 8) {
            throw new IllegalArgumentException("DIR/password must hold at least 8 characters");
        }
        Files.deleteIfExists(home.resolve("port"));

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home.resolve("data"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", 0))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMib))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(txMib))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
                        ByteUnit.mebiBytes(txTotalMib));
        if (replanSeconds > 0) {
            builder.setConfig(GraphDatabaseSettings.cypher_min_replan_interval,
                            Duration.ofSeconds(replanSeconds))
                    .setConfig(GraphDatabaseInternalSettings.cypher_replan_algorithm,
                            GraphDatabaseInternalSettings.CypherReplanAlgorithm.NONE);
        }
        DatabaseManagementService dbms = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
            } finally {
                stopped.countDown();
            }
        }, "redgov-neo4j-shutdown"));

        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            // A restart on the same DIR: the user already has this password.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
        // Warm the user database so the first test does not pay for its start.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");

        int port = ((GraphDatabaseAPI) system).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT)
                .getPort();
        writeAtomically(home.resolve("port"), Integer.toString(port));
        System.out.println("bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

package parley.solr;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A SolrCloud for Parley's tests: N Jetty Solr nodes and an embedded ZooKeeper on 127.0.0.1, in one JVM,
 * started with Solr's own test harness (MiniSolrCloudCluster).
 *
 * <p>Prints one JSON line when ready: {"ready":true,"zk":"127.0.0.1:P/solr","nodes":["http://127.0.0.1:P/solr",...]}.
 * Then reads commands from stdin, one per line, and answers each with one JSON line:
 * "stop I" stops node I, "start I" restarts it on the same port, "nodes" lists the nodes.
 * It shuts down when stdin closes (its parent is gone) or on SIGTERM.
 *
 * <p>Arguments: --base DIR (the cluster's working folder, required), --nodes N (2), --configset DIR and
 * --config-name NAME (uploaded to ZooKeeper if given), --collections a,b (created from that configset),
 * --shards S (2), --replicas R (2).
 */
public final class Cluster {
  private Cluster() {}

  public static void main(String[] args) throws Exception {
    Path base = null;
    Path configset = null;
    String configName = "parley";
    List<String> collections = new ArrayList<>();
    int nodes = 2;
    int shards = 2;
    int replicas = 2;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--base" -> base = Path.of(value);
        case "--configset" -> configset = Path.of(value);
        case "--config-name" -> configName = value;
        case "--collections" -> {
          for (String name : value.split(",")) {
            if (!name.isBlank()) collections.add(name.trim());
          }
        }
        case "--nodes" -> nodes = Integer.parseInt(value);
        case "--shards" -> shards = Integer.parseInt(value);
        case "--replicas" -> replicas = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
      i++;
    }
    if (base == null) throw new IllegalArgumentException("--base DIR is required");
    Files.createDirectories(base);
    // What Solr's test runner would set: where logs go, and that the nodes are on loopback only.
    System.setProperty("solr.log.dir", System.getProperty("solr.log.dir", base.resolve("logs").toString()));
    System.setProperty("host", "127.0.0.1");

    MiniSolrCloudCluster.Builder builder = new MiniSolrCloudCluster.Builder(nodes, base);
    if (configset != null) builder.addConfig(configName, configset);
    MiniSolrCloudCluster cluster;
    try {
      cluster = builder.build();
    } catch (Exception e) {
      fail("cannot start the cluster", e);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(cluster)));
    try {
      for (String name : collections) {
        CollectionAdminRequest.createCollection(name, configName, shards, replicas).process(cluster.getSolrClient());
        cluster.waitForActiveCollection(name, 60, TimeUnit.SECONDS, shards, shards * replicas);
      }
    } catch (Exception e) {
      fail("cannot create the collections", e);
    }
    // Node numbers stay those of the start: the cluster drops a stopped node from its own list.
    List<JettySolrRunner> jetties = new ArrayList<>(cluster.getJettySolrRunners());
    say("{\"ready\":true,\"zk\":\"" + cluster.getZkServer().getZkAddress() + "\",\"nodes\":" + urls(jetties) + "}");

    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = stdin.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      try {
        switch (words[0]) {
          case "stop" -> {
            JettySolrRunner jetty = jetties.get(Integer.parseInt(words[1]));
            cluster.stopJettySolrRunner(jetty);
            cluster.waitForJettyToStop(jetty);
            say("{\"stopped\":" + words[1] + "}");
          }
          case "start" -> {
            JettySolrRunner jetty = jetties.get(Integer.parseInt(words[1]));
            cluster.startJettySolrRunner(jetty, true); // true: the same port as before
            cluster.waitForNode(jetty, 60);
            say("{\"started\":" + words[1] + "}");
          }
          case "nodes" -> say("{\"nodes\":" + urls(jetties) + ",\"running\":" + running(jetties) + "}");
          case "" -> {}
          default -> say("{\"error\":\"unknown command; use stop I, start I or nodes\"}");
        }
      } catch (Exception e) {
        say("{\"error\":\"" + String.valueOf(e).replace("\\", "\\\\").replace("\"", "'") + "\"}");
      }
    }
    System.exit(0); // the shutdown hook stops the nodes and ZooKeeper
  }

  /** Says why on stdout (the parent reads it) and exits non-zero; the shutdown hook stops what started. */
  private static void fail(String what, Exception e) {
    say("{\"ready\":false,\"error\":\"" + (what + ": " + e).replace("\\", "\\\\").replace("\"", "'").replace("\n", " ") + "\"}");
    System.exit(1);
  }

  private static String running(List<JettySolrRunner> jetties) {
    List<String> flags = new ArrayList<>();
    for (JettySolrRunner jetty : jetties) flags.add(String.valueOf(jetty.isRunning()));
    return "[" + String.join(",", flags) + "]";
  }

  private static String urls(List<JettySolrRunner> jetties) {
    List<String> quoted = new ArrayList<>();
    for (JettySolrRunner jetty : jetties) {
      quoted.add("\"" + jetty.getBaseUrl() + "\"");
    }
    return "[" + String.join(",", quoted) + "]";
  }

  private static synchronized void say(String json) {
    System.out.println(json);
    System.out.flush();
  }

  private static void shutdown(MiniSolrCloudCluster cluster) {
    try {
      cluster.shutdown();
    } catch (Exception e) {
      System.err.println("shutdown: " + e);
    }
  }
}

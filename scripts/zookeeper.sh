#!/usr/bin/env bash
# Start one real Apache ZooKeeper 3.8 server (Debian's package) in the foreground on loopback.
#   scripts/zookeeper.sh <dir> <clientPort> [<myid> <servers>]
# <dir> holds zoo.cfg and the data; <servers> is "1=127.0.0.1:q1:e1,2=127.0.0.1:q2:e2,…" for an
# ensemble (omit both for standalone). Environment: ZK_TICK_TIME (default 2000), ZK_MIN_SESSION and
# ZK_MAX_SESSION (ms, optional), ZK_ADMIN_PORT (optional: serve the AdminServer's /commands on
# 127.0.0.1:<port>), ZK_4LW_WHITELIST (optional: the four-letter words allowed, "ruok,srvr"; default
# all), ZK_SECURE_PORT with ZK_SSL_KEYSTORE, ZK_SSL_TRUSTSTORE, ZK_SSL_PASSWORD and optionally
# ZK_SSL_CLIENT_AUTH (need, want or none; default need): also serve TLS clients on 127.0.0.1:<port>
# through Netty, as ZooKeeper's secureClientPort (PKCS12 stores); ZK_X509_SUPERUSER (optional, escaped
# for a properties file): the certificate subject that is super. Debian's zkServer.sh ignores ZOOCFGDIR, so the absolute config path is passed to
# start-foreground, which execs java: this script's PID becomes the server's.
set -euo pipefail
dir=$(realpath -m "$1"); port=$2; myid=${3:-}; servers=${4:-}
zkserver=/usr/share/zookeeper/bin/zkServer.sh
[ -x "$zkserver" ] || { echo "zookeeper is not installed (apt-get install -y zookeeper)" >&2; exit 3; }
mkdir -p "$dir/data" "$dir/logs"
cfg="$dir/zoo.cfg"
{
  echo "tickTime=${ZK_TICK_TIME:-2000}"
  echo "initLimit=10"
  echo "syncLimit=5"
  echo "dataDir=$dir/data"
  echo "clientPort=$port"
  echo "clientPortAddress=127.0.0.1"
  echo "maxClientCnxns=0"
  if [ -n "${ZK_ADMIN_PORT:-}" ]; then
    echo "admin.enableServer=true"
    echo "admin.serverAddress=127.0.0.1"
    echo "admin.serverPort=$ZK_ADMIN_PORT"
  else
    echo "admin.enableServer=false"
  fi
  echo "4lw.commands.whitelist=${ZK_4LW_WHITELIST:-*}"
  if [ -n "${ZK_SECURE_PORT:-}" ]; then
    # Keys ZooKeeper does not know become zookeeper.* system properties, which is where these live.
    echo "secureClientPort=$ZK_SECURE_PORT"
    echo "secureClientPortAddress=127.0.0.1"
    echo "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory"
    echo "ssl.keyStore.location=$ZK_SSL_KEYSTORE"
    echo "ssl.keyStore.password=$ZK_SSL_PASSWORD"
    echo "ssl.trustStore.location=$ZK_SSL_TRUSTSTORE"
    echo "ssl.trustStore.password=$ZK_SSL_PASSWORD"
    echo "ssl.clientAuth=${ZK_SSL_CLIENT_AUTH:-need}"
    if [ -n "${ZK_X509_SUPERUSER:-}" ]; then echo "X509AuthenticationProvider.superUser=$ZK_X509_SUPERUSER"; fi
  fi
  echo "extendedTypesEnabled=true"
  echo "reconfigEnabled=false"
  echo "localSessionsEnabled=false"
  echo "autopurge.purgeInterval=0"
  [ -n "${ZK_MIN_SESSION:-}" ] && echo "minSessionTimeout=$ZK_MIN_SESSION"
  [ -n "${ZK_MAX_SESSION:-}" ] && echo "maxSessionTimeout=$ZK_MAX_SESSION"
  if [ -n "$servers" ]; then
    echo "standaloneEnabled=false"
    IFS=',' read -ra list <<<"$servers"
    for s in "${list[@]}"; do echo "server.${s%%=*}=${s#*=}"; done
  else
    echo "standaloneEnabled=true"
  fi
} >"$cfg"
[ -n "$myid" ] && echo "$myid" >"$dir/data/myid"
export ZOO_LOG_DIR="$dir/logs"
# A small heap and a quick-starting JIT: these servers live for seconds in tests.
jvmflags="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto"
if [ -n "${ZK_ADMIN_PORT:-}" ] || [ -n "${ZK_SECURE_PORT:-}" ]; then
  # zkEnv.sh fixes a classpath without the servlet API, on which the AdminServer fails to start (and
  # ZooKeeper carries on without it), and without netty-codec, without which the Netty server of a
  # secure client port drops every connection, so java is run directly, still by exec.
  # slf4j-simple logs to stderr, which the caller keeps for start-up failures.
  cp=/usr/share/java/zookeeper.jar:/usr/share/java/servlet-api.jar
  [ -e /usr/share/java/slf4j-simple.jar ] && cp="$cp:/usr/share/java/slf4j-simple.jar"
  cp="$cp:/usr/share/java/netty-codec.jar"
  # shellcheck disable=SC2086 # the flags are words on purpose
  exec /usr/bin/java $jvmflags ${SERVER_JVMFLAGS:-} -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg"
fi
export SERVER_JVMFLAGS="$jvmflags -Dzookeeper.admin.enableServer=false ${SERVER_JVMFLAGS:-}"
exec "$zkserver" start-foreground "$cfg"

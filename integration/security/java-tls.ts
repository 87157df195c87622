// What the Java-client TLS tests need on this machine, checked once: the jars and the tools.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** The Java client's Netty socket needs netty-codec and netty-resolver, which zookeeper.jar's manifest leaves out. */
export const JAVA_TLS_JARS = ['zookeeper', 'zookeeper-jute', 'slf4j-api', 'slf4j-nop', 'netty-codec', 'netty-resolver'].map(
  (j) => `/usr/share/java/${j}.jar`,
)

/** Why tests that need openssl are skipped, or undefined when it is installed. */
export const opensslMissing = spawnSync('openssl', ['version']).error ? 'the openssl binary is not installed' : undefined

/** Why Java-client TLS tests are skipped, or undefined when keytool and every jar are present. */
export const javaMissing = spawnSync('keytool', ['-help']).error
  ? 'java/keytool is not installed'
  : JAVA_TLS_JARS.find((j) => !existsSync(j))
    ? `missing ${JAVA_TLS_JARS.filter((j) => !existsSync(j)).join(', ')}`
    : undefined

// The version the bundled server reports (srvr, mntr, envi, the AdminServer), in ZooKeeper's format.

/** The version line clients parse ("Zookeeper version: 3.8.x-…"). */
export const VERSION = '3.8.0-zookit, built on 2026-11-24 00:00 UTC'

"""Device identity, broker ACLs and personal-data protection for a hall.

* :mod:`hub.security.acl`: who may publish and read which topic, per role, derived from the
  hall file (one source for Mosquitto's ``acl_file`` and the embedded broker's plugin);
* :mod:`hub.security.passwords`: Mosquitto's ``$7$`` PBKDF2-SHA512 password file;
* :mod:`hub.security.mosquitto`: ``hallq mosquitto-config`` (config, password and ACL files);
* :mod:`hub.security.amqtt_plugins`: the same users and ACL inside the embedded broker;
* :mod:`hub.security.ratelimit`: a token bucket per device;
* :mod:`hub.security.purge`: ``hallq purge``, personal fields blanked after the retention.
"""

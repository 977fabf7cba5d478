"""The hub's alarms (告警) on ``status/hub``: one code each, its words in Chinese and in English.

The hub says each alarm twice on ``status/hub``: the Chinese words joined in ``error`` (what
devices have always shown, and what the hub's log says), and the same alarms by code in ``alarms``
(:class:`~hallq.messages.HubAlarm`: code, Chinese text and the values the words are filled with).
A device in English words each alarm from its code (:func:`alarm_words`), the way case words go by
code (:data:`hallq.i18n.CASE_WORDS_EN`); an alarm whose code it does not know shows the hub's
Chinese text, never nothing. docs/operations.md lists every alarm in both languages.
"""

from __future__ import annotations

from hallq.i18n import language
from hallq.messages import HubAlarm

# code -> (Chinese, English); ``{name}`` is filled from the alarm's values
HUB_ALARMS: dict[str, tuple[str, str]] = {
    "backup_failed": ("备份失败：{error}（{dir}）", "Backup failed: {error} ({dir})"),
    "standby_not_in_sync": ("备用中心未同步：主中心单独运行，此时切换到备用中心会丢失最新数据",
                            "Standby not in sync: the primary runs alone; a failover now would lose the latest data"),
    "fenced": ("本中心已被备用中心接替（任期 {epoch}），不再应答",
               "This hub was taken over by the standby (epoch {epoch}) and no longer answers"),
    "witness_lost": ("见证服务失联：主备同步运行，每批操作经备用中心确认后才应答，切换保护仍有效",
                     "Witness lost: the hubs run in sync, each batch is answered only once the standby confirms it; "
                     "failover protection still holds"),
    "witness_lost_stopped": ("见证服务失联，且备用中心未同步或未确认：本中心暂停应答（双重故障，见运维手册 §6）",
                             "Witness lost and the standby not in sync or not confirming: this hub has stopped "
                             "answering (double fault, see the operations manual §6)"),
}


def hub_alarm(code: str, **values: object) -> HubAlarm:
    """The alarm ``code`` (a key of :data:`HUB_ALARMS`) with its Chinese words filled in."""
    zh, _ = HUB_ALARMS[code]
    filled = {k: str(v) for k, v in values.items()}
    return HubAlarm(code=code, text=zh.format(**filled), values=filled)


def alarm_words(alarm: HubAlarm, lang: str = "") -> str:
    """The alarm for the screen: the hub's Chinese text, or in English the words for its code (the
    Chinese text when the code is unknown or its values do not fill the words)."""
    if (lang or language()) != "en" or alarm.code not in HUB_ALARMS:
        return alarm.text
    try:
        return HUB_ALARMS[alarm.code][1].format(**alarm.values)
    except (KeyError, IndexError, ValueError):
        return alarm.text

"""Query keys that only say how a link was shared, never what it shows: canonical URLs
(:func:`bot.library.dedupe.canonical_url`) drop them, so one page has one key however the link
was decorated. Keys are compared lower-cased.
"""

from __future__ import annotations

__all__ = ["HOST_CONTENT_KEYS", "HOST_TRACKING_KEYS", "TRACKING_KEYS", "TRACKING_PREFIXES"]

# On every host.
TRACKING_KEYS = frozenset(
    {
        # ad and click ids
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        # referrers and share decorations
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "source",
        "from",
        "share_source",
        "share_medium",
        "share_plat",
        "share_session_id",
        "share_tag",
        "share_from",
        "share_code",
        "spm",
        "spm_id_from",
        "from_spmid",
        "vd_source",
        "unique_k",
        # Weibo / Chinese apps
        "wm",
        "aid",
        "launchid",
        "wbapianalysisoriuicodes",
        "v_p",
        "luicode",
        "lfid",
        "sourcetype",
        "isappinstalled",
        "scene",
        "clicktime",
        "enterid",
    }
)
TRACKING_PREFIXES = ("utm_", "sf", "pk_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")

# Per-host extras: keys that are tracking on that host only.
HOST_TRACKING_KEYS: dict[str, frozenset[str]] = {
    "x.com": frozenset({"s", "t"}),
    "youtube.com": frozenset({"si", "feature", "pp", "ab_channel", "t", "start"}),
    "medium.com": frozenset({"sk"}),
}
# Hosts whose content is named by a fixed set of keys; everything else is dropped.
HOST_CONTENT_KEYS: dict[str, frozenset[str]] = {
    "mp.weixin.qq.com": frozenset({"__biz", "mid", "idx", "sn"}),
}

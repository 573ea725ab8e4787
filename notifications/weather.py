"""Weather for the copy, behind one interface: ``provider().forecast_for(locations, at)``.

* ``OfflineProvider`` (default): deterministic made-up weather from the location and the hour; no
  network, the same answer every time (tests, demo, staging QA).
* ``OpenWeatherMapProvider``: the 5-day / 3-hour forecast API, cached per location in
  ``WeatherSnapshot`` for ``NOTIFICATIONS_WEATHER_CACHE_S``; a failing request means no weather
  in the copy, never a failed notification.
"""

import datetime as dt
import hashlib
import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils import timezone

from .models import WeatherSnapshot

logger = logging.getLogger(__name__)

SUMMARIES = ["clear", "partly cloudy", "cloudy", "light rain", "windy", "drizzle", "sunny"]


class OfflineProvider:
    name = "offline"

    def forecast_for(self, locations: set[str], at: dt.datetime) -> dict[str, dict]:
        out = {}
        for location in locations:
            digest = hashlib.sha256(f"{location}|{at:%Y-%m-%d %H}".encode()).digest()
            out[location] = {"summary": SUMMARIES[digest[0] % len(SUMMARIES)], "temp_c": digest[1] % 25 - 2}
        return out


class OpenWeatherMapProvider:
    name = "openweathermap"
    url = "https://api.openweathermap.org/data/2.5/forecast"

    def forecast_for(self, locations: set[str], at: dt.datetime) -> dict[str, dict]:
        now = timezone.now()
        fresh_after = now - dt.timedelta(seconds=settings.NOTIFICATIONS_WEATHER_CACHE_S)
        cached = {
            s.location: s
            for s in WeatherSnapshot.objects.filter(
                provider=self.name, location__in=locations, fetched_at__gte=fresh_after
            )
        }
        out = {}
        for location in locations:
            snapshot = cached.get(location)
            if snapshot is None:
                entries = self._fetch(location)
                if entries is None:
                    continue
                snapshot, _ = WeatherSnapshot.objects.update_or_create(
                    provider=self.name, location=location, defaults={"fetched_at": now, "forecast": entries}
                )
            entry = _nearest(snapshot.forecast, at)
            if entry:
                out[location] = {"summary": entry["summary"], "temp_c": round(entry["temp_c"])}
        return out

    def _fetch(self, location: str) -> list[dict] | None:
        if not settings.OPENWEATHERMAP_API_KEY:
            return None
        query = urllib.parse.urlencode(
            {"q": location, "appid": settings.OPENWEATHERMAP_API_KEY, "units": "metric"}
        )
        try:
            url = f"{self.url}?{query}"
            with urllib.request.urlopen(url, timeout=settings.OUTBOUND_TIMEOUT_S) as response:  # noqa: S310 - fixed https URL
                data = json.load(response)
        except (OSError, ValueError) as exc:
            logger.warning("weather for %s unavailable: %s", location, exc)
            return None
        entries = []
        for item in data.get("list", []):
            entries.append(
                {
                    "at": dt.datetime.fromtimestamp(item["dt"], dt.UTC).isoformat(),
                    "temp_c": float(item["main"]["temp"]),
                    "summary": (item.get("weather") or [{}])[0].get("description", ""),
                    "precipitation_mm": float((item.get("rain") or {}).get("3h", 0.0)),
                    "wind_m_s": float((item.get("wind") or {}).get("speed", 0.0)),
                }
            )
        return entries


def _nearest(entries: list[dict], at: dt.datetime) -> dict | None:
    best, best_gap = None, None
    for entry in entries:
        gap = abs((dt.datetime.fromisoformat(entry["at"]) - at).total_seconds())
        if best_gap is None or gap < best_gap:
            best, best_gap = entry, gap
    return best if best_gap is not None and best_gap <= 6 * 3600 else None


def provider():
    return {"offline": OfflineProvider, "openweathermap": OpenWeatherMapProvider}[
        settings.NOTIFICATIONS_WEATHER_PROVIDER
    ]()

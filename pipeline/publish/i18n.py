"""The portal's own words in English, Spanish and French, and dates and times as each language writes them."""

from __future__ import annotations

import datetime as dt
import re

LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}
# The name of each language as written in each page language ("translated from <name>").
LANGUAGE_IN = {
    "en": {"en": "English", "es": "Spanish", "fr": "French"},
    "es": {"en": "inglés", "es": "español", "fr": "francés"},
    "fr": {"en": "anglais", "es": "espagnol", "fr": "français"},
}
# "from <language>" as each page language writes it, for the machine-translation notice.
FROM_LANGUAGE = {
    "en": {"en": "from English", "es": "from Spanish", "fr": "from French"},
    "es": {"en": "del inglés", "es": "del español", "fr": "del francés"},
    "fr": {"en": "de l'anglais", "es": "de l'espagnol", "fr": "du français"},
}
# Engines as a reader knows them; per-pair routes ("apertium via ca") stay in glossary-report.json.
ENGINE_NAMES = {"argos": "Argos Translate", "apertium": "Apertium"}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}

LABELS = {
    "en": {
        "languages": "Languages", "episodes": "Episodes", "no_episodes": "No episodes published yet.",
        "subscribe": "Subscribe in a podcast app", "feed": "Podcast feed (RSS)",
        "speakers": "Speakers", "summary": "Summary", "key_points": "Key points", "chapters": "Chapters",
        "topics": "Topics", "downloads": "Audio and transcripts", "transcript": "Transcript",
        "audio": "Audio (MP3)", "audio_low": "Low-bandwidth audio (MP3)", "captions": "Captions",
        "transcript_as": "Transcript", "original_transcript": "Original transcript, as spoken",
        "chapters_json": "Chapters (JSON)", "notes_md": "These notes (Markdown)",
        "machine_notice": "Machine translation {source}, not reviewed by a person, made with {engine}.",
        "listen_original": "Listen to the recording for the original words.",
        "machine_label": "machine translation",
        "not_translated": "No {lang} translation yet: the transcript below is the original, in {source}.",
        "no_summary": "The summary is not written yet; this is the session's description.",
        "spoken_in": "spoken in {lang}", "duration": "Duration", "published": "Published",
        "back": "All episodes", "skip": "Skip to content", "minutes": "min",
        "player_help": "The transcript follows the audio; select a time to jump there.",
        "show_notes": "Session notes",
        "playing": "Playing: {quality}.", "switch_to": "Switch to {quality}",
        "data_saver": "data saver, {kbps} kbps, {size}", "full_quality": "full quality, {kbps} kbps, {size}",
        "voice_note": "Voice note for WhatsApp (Opus)", "share_message": "Message to forward (text)",
        "low_enclosure": "Data saver: MP3 at {kbps} kbps",
    },
    "es": {
        "languages": "Idiomas", "episodes": "Episodios",
        "no_episodes": "Todavía no hay episodios publicados.",
        "subscribe": "Suscríbete en una aplicación de pódcast", "feed": "Feed del pódcast (RSS)",
        "speakers": "Participantes", "summary": "Resumen", "key_points": "Puntos clave",
        "chapters": "Capítulos", "topics": "Temas", "downloads": "Audio y transcripciones",
        "transcript": "Transcripción", "audio": "Audio (MP3)", "audio_low": "Audio de bajo consumo (MP3)",
        "captions": "Subtítulos", "transcript_as": "Transcripción",
        "original_transcript": "Transcripción original, tal como se habló",
        "chapters_json": "Capítulos (JSON)", "notes_md": "Estas notas (Markdown)",
        "machine_notice": "Traducción automática {source}, sin revisión humana, hecha con {engine}.",
        "listen_original": "Escucha la grabación para oír las palabras originales.",
        "machine_label": "traducción automática",
        "not_translated": "Aún no hay traducción al {lang}: la transcripción es la original, en {source}.",
        "no_summary": "El resumen aún no está escrito; esta es la descripción de la sesión.",
        "spoken_in": "hablado en {lang}", "duration": "Duración", "published": "Publicado",
        "back": "Todos los episodios", "skip": "Ir al contenido", "minutes": "min",
        "player_help": "La transcripción sigue al audio; elige un tiempo para saltar allí.",
        "show_notes": "Notas de la sesión",
        "playing": "Se reproduce: {quality}.", "switch_to": "Cambiar a {quality}",
        "data_saver": "ahorro de datos, {kbps} kbps, {size}",
        "full_quality": "calidad completa, {kbps} kbps, {size}",
        "voice_note": "Nota de voz para WhatsApp (Opus)", "share_message": "Mensaje para reenviar (texto)",
        "low_enclosure": "Ahorro de datos: MP3 a {kbps} kbps",
    },
    "fr": {
        "languages": "Langues", "episodes": "Épisodes", "no_episodes": "Aucun épisode publié pour l'instant.",
        "subscribe": "S'abonner dans une application de podcasts", "feed": "Flux du podcast (RSS)",
        "speakers": "Intervenantes et intervenants", "summary": "Résumé", "key_points": "Points clés",
        "chapters": "Chapitres", "topics": "Thèmes", "downloads": "Audio et transcriptions",
        "transcript": "Transcription", "audio": "Audio (MP3)", "audio_low": "Audio basse consommation (MP3)",
        "captions": "Sous-titres", "transcript_as": "Transcription",
        "original_transcript": "Transcription originale, telle que prononcée",
        "chapters_json": "Chapitres (JSON)", "notes_md": "Ces notes (Markdown)",
        "machine_notice": "Traduction automatique {source}, sans relecture humaine, réalisée avec {engine}.",
        "listen_original": "Écoutez l'enregistrement pour les mots d'origine.",
        "machine_label": "traduction automatique",
        "not_translated": "Pas encore de traduction en {lang} : "
                          "la transcription est l'originale, en {source}.",
        "no_summary": "Le résumé n'est pas encore écrit ; voici la description de la séance.",
        "spoken_in": "prononcé en {lang}", "duration": "Durée", "published": "Publié",
        "back": "Tous les épisodes", "skip": "Aller au contenu", "minutes": "min",
        "player_help": "La transcription suit l'audio ; choisissez un moment pour y aller.",
        "show_notes": "Notes de séance",
        "playing": "Lecture : {quality}.", "switch_to": "Passer en {quality}",
        "data_saver": "économie de données, {kbps} kbit/s, {size}",
        "full_quality": "qualité complète, {kbps} kbit/s, {size}",
        "voice_note": "Note vocale pour WhatsApp (Opus)", "share_message": "Message à transférer (texte)",
        "low_enclosure": "Économie de données : MP3 à {kbps} kbit/s",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def language_in(name_lang: str, page_lang: str) -> str:
    return LANGUAGE_IN.get(page_lang, LANGUAGE_IN["en"]).get(name_lang, name_lang)


AND = {"en": "and", "es": "y", "fr": "et"}


def names_list(codes, lang: str) -> str:
    """Language names in `lang`: "English", "English and French", "inglés, francés y español"."""
    return join_names([language_in(code, lang) for code in codes], lang)


def join_names(names, lang: str) -> str:
    """Names joined as the language joins them: "Argos Translate y Apertium"."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {AND.get(lang, 'and')} {names[-1]}"


def from_languages(codes, lang: str) -> str:
    """"del inglés y del francés", "de l'anglais", "from English and French"."""
    table = FROM_LANGUAGE.get(lang, FROM_LANGUAGE["en"])
    parts = [table.get(code, code) for code in codes]
    if lang == "en" and len(parts) > 1:         # "from English and French", not "from ... and from ..."
        parts = [parts[0]] + [p.removeprefix("from ") for p in parts[1:]]
    return join_names(parts, lang)


def engine_names(values) -> tuple[str, ...]:
    """Engines named plainly, once each: "apertium via ca; es-fr: apertium" -> ("Apertium",)."""
    out: dict[str, None] = {}
    for value in values:
        for part in re.split(r"[,;]", str(value)):
            found = [name for key, name in ENGINE_NAMES.items() if key in part.lower()]
            for name in found or ([part.strip()] if part.strip() and part.strip() != "none" else []):
                out.setdefault(name, None)
    return tuple(out)


def long_date(date: dt.date, lang: str) -> str:
    month = MONTHS.get(lang, MONTHS["en"])[date.month - 1]
    if lang == "es":
        return f"{date.day} de {month} de {date.year}"
    return f"{date.day} {month} {date.year}"


def clock(seconds: float) -> str:
    """m:ss or h:mm:ss, as podcast apps and the transcript show times."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def minutes(seconds: float) -> int:
    return max(1, int(round(seconds / 60)))

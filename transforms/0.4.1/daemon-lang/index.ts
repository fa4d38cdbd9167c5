// daemon-lang: Kallithea's daemon group gets a UTF-8 locale with `lang=`, as the 0.4.1 docs say
// (`... python-home=/srv/kallithea/venv lang=C.UTF-8`).
//
// Why (Kallithea commit 9f2024938, issue #340): Apache gives WSGI daemons the C locale with ASCII
// as the encoding, which breaks non-ASCII user names, file names and commit messages. `lang=`
// (mod_wsgi 3.4+) sets LANG in the daemon. A group that already sets `lang=` or `locale=` is left
// alone; one whose locale is not UTF-8 is advised on.
import { firstPlaces } from '../../../src/model/describe.js'
import { servesKallithea } from '../../../src/model/kallithea.js'
import { DEFAULT_LANG, isUtf8Locale } from '../../../src/load/locale.js'
import { defineTransform } from '../../../src/runner/define.js'
import { setOption } from '../../../src/syntax/edit.js'

export const daemonLang = defineTransform({
  meta: {
    id: 'daemon-lang',
    version: '0.4.1',
    title: 'A UTF-8 locale for the Kallithea daemon: lang=C.UTF-8',
    description:
      'Adds lang=C.UTF-8 (or the locale given with --lang) to the WSGIDaemonProcess that serves Kallithea when it sets neither ' +
      'lang= nor locale=; advises on a locale that is not UTF-8.',
    rationale:
      "Apache's default locale is C with ASCII, which breaks non-ASCII user names, paths and commit messages in Kallithea (issue #340).",
    modWsgi: '>=3.4',
    messages: {
      added:
        'Added lang={{lang}} to WSGIDaemonProcess {{name}}: Apache starts WSGI daemons in the C locale with ASCII as the encoding, ' +
        'which breaks non-ASCII user names, paths and commit messages in Kallithea; {{lang}} makes the encoding UTF-8 ' +
        '(another UTF-8 locale the host has, from locale -a, can be chosen with --lang).',
      noHostLocale:
        'WSGIDaemonProcess {{name}} sets no locale, and this host lists no UTF-8 locale (locale -a): lang= not added, as a locale ' +
        'the host lacks leaves the daemon in C with ASCII all the same. Kallithea needs UTF-8 for non-ASCII names and commit messages: ' +
        'install one (Debian: enable en_US.UTF-8 in /etc/locale.gen and run locale-gen; glibc 2.35 and later have C.UTF-8 built in), then run again.',
      notUtf8:
        'WSGIDaemonProcess {{name}} sets {{option}}={{value}}, which is not a UTF-8 locale: Kallithea needs UTF-8 for non-ASCII names ' +
        'and commit messages. Use a UTF-8 one (lang={{lang}}, or one locale -a lists).',
    },
  },
  create(ctx) {
    const model = ctx.model()
    const lang = ctx.options.lang ?? DEFAULT_LANG
    // The host was asked (server mode) and lists no UTF-8 locale: there is none to name.
    const none = ctx.options.lang === undefined && ctx.options.hostLocales !== undefined && !ctx.options.hostLocales.some(isUtf8Locale)
    for (const daemon of firstPlaces(model.daemons)) {
      if (!ctx.editable(ctx.fileOf(daemon.node)) || !servesKallithea(daemon, model, ctx.files)) continue
      const name = daemon.name
      const set = daemon.options.filter((o) => o.key === 'lang' || o.key === 'locale')
      for (const o of set) {
        if (!o.raw.includes('${') && !isUtf8Locale(o.value)) ctx.report({ at: daemon, messageId: 'notUtf8', data: { name, option: o.key, value: o.value, lang } })
      }
      if (set.length > 0) continue
      if (none) {
        ctx.report({ at: daemon, messageId: 'noHostLocale', data: { name } })
        continue
      }
      ctx.report({ at: daemon, messageId: 'added', data: { name, lang }, fix: (fixer) => fixer.modify(daemon.node, (n) => setOption(n, 'lang', lang)) })
    }
  },
})

export default daemonLang

/** The body parser: any valid JSON parses, at any depth; duplicate and __proto__ keys are refused with their place. */
import t from 'tap'
import { BodyError, checkKeys, keysInText, keysInValue, parseBody } from '../src/http/json-body.js'

const refused = (text: string) => {
  try {
    checkKeys(text)
    return undefined
  } catch (err) {
    return { message: (err as BodyError).message, field: (err as BodyError).field }
  }
}

t.test('duplicate keys are found wherever they are, with the path of their object', async (t) => {
  t.same(refused('{"a":1,"a":2}'), { message: '(body): key "a" is given twice; send each key once', field: '(body)' })
  t.same(refused('{"a":{"b":[{"c":1},{"d":1,"d":2}]}}'), { message: 'a.b[1]: key "d" is given twice; send each key once', field: 'a.b[1]' })
  t.same(refused('{"a":[1,[2]],"a":2}'), { message: '(body): key "a" is given twice; send each key once', field: '(body)' }, 'after a list closes, its object is read again')
  t.same(refused('[[{"x":1,"x":1}]]'), { message: '[0][0]: key "x" is given twice; send each key once', field: '[0][0]' })
  t.same(refused('{"s":"a\\"b,c{","t":{"\\u0061":1,"a":2}}'), { message: 't: key "a" is given twice; send each key once', field: 't' }, 'escapes are read as the JSON parser reads them')
  t.same(refused('{"__proto__":{}}'), { message: '(body): a "__proto__" key is not allowed', field: '(body)' })
})

t.test('what JSON.parse takes and Metacontroller sends passes', async (t) => {
  t.equal(refused('{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}],"d":"k","k":"k"}'), undefined, 'the same key in different objects')
  t.same(parseBody('{"a":[1,"x",null,true]}'), { a: [1, 'x', null, true] })
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
  t.ok(Array.isArray(parseBody(deep)), 'nesting of any depth parses (no recursion)')
  t.throws(() => parseBody('{"a":'), { name: 'Error', field: '(body)', message: /^the body is not valid JSON \(.+\); send a JSON object$/ })
})

t.test('keys are counted in the text and in the parsed value alike, so a duplicate is found without the full scan', async (t) => {
  const texts = [
    '{"a":1,"b":{"c":[{"d":"x\\":y"},"e:"]},"f" :\n\t\r 2}',
    '{"s":"a \\\\\\" \\u0022 b","t":"\\\\","u":[1,2,{"v":null}]}',
    '[{"a":{}},[],"b",{"c":"\\":"}]',
    '"just a string"',
  ]
  for (const text of texts) t.equal(keysInText(text), keysInValue(JSON.parse(text)), text)
  t.equal(keysInText('{"a":1,"a":2}'), 2)
  t.equal(keysInValue(JSON.parse('{"a":1,"a":2}')), 1, 'JSON.parse keeps one: the counts differ')
  t.equal(keysInValue(JSON.parse('{"x":{"__proto__":1}}')), -1, 'a __proto__ key never counts as equal')
  t.same(parseBody('null'), null, 'a body that is not an object has no keys to check (the schema refuses it)')
  t.same(parseBody('{"a" : {"b":[1, {"c" :2}]}}'), { a: { b: [1, { c: 2 }] } })
  t.same(refused('{ "x" : [ 1 ,\n {"a" : 1 ,\n\t"a" : 2} ] }'), { message: 'x[1]: key "a" is given twice; send each key once', field: 'x[1]' }, 'pretty-printed text is scanned the same')
})

import { strict as assert } from 'assert';
import * as path from 'path';
import { parseChunkFile, rawChunkPath, rawSeriesDir } from '../../src/radar/raw-store';
import { refetchCommand, refetchHint } from '../../src/radar/refetch';

describe('radar/raw-store', () => {
  it('names a chunk by its window in compact UTC hours, and reads the window back', () => {
    const file = rawChunkPath('/raw', 'radar', 'AT', 'http', '2023-01-01T00:00:00Z', '2023-01-28T23:00:00Z');
    assert.equal(file, path.join('/raw', 'radar', 'AT', 'http', '20230101T00_20230128T23.json'));
    const info = parseChunkFile(file)!;
    assert.deepEqual([info.rawDir, info.source, info.country, info.series, info.aggInterval, info.window.start, info.window.end], ['/raw', 'radar', 'AT', 'http', '1h', '2023-01-01T00:00:00Z', '2023-01-28T23:00:00Z']);
    // label windows end at the last second of their last hour
    assert.equal(parseChunkFile(rawChunkPath('/raw', 'radar', 'AT', 'outages', '2023-01-01T00:00:00Z', '2023-12-30T23:59:59Z'))!.window.end, '2023-12-30T23:59:59Z');
    assert.equal(parseChunkFile('/raw/radar/AT/dns/20230101T00_20230128T23.json'), undefined, 'not a raw series');
    assert.equal(parseChunkFile('/raw/radar/AT/http/notes.json'), undefined);
  });

  it('keeps 15-minute chunks in <series>@15m folders, except for series without an interval, and reads their windows back to the last quarter', () => {
    assert.equal(rawSeriesDir('/raw', 'synthetic', 'AT', 'netflows', '15m'), path.join('/raw', 'synthetic', 'AT', 'netflows@15m'));
    assert.equal(rawSeriesDir('/raw', 'synthetic', 'AT', 'netflows', '1h'), path.join('/raw', 'synthetic', 'AT', 'netflows'));
    assert.equal(rawSeriesDir('/raw', 'synthetic', 'AT', 'bgp_ips', '15m'), path.join('/raw', 'synthetic', 'AT', 'bgp_ips'), 'BGP IPs take no aggInterval');
    assert.equal(rawSeriesDir('/raw', 'synthetic', 'AT', 'anomalies', '15m'), path.join('/raw', 'synthetic', 'AT', 'anomalies'));
    const file = rawChunkPath('/raw', 'synthetic', 'AT', 'http', '2024-01-01T00:00:00Z', '2024-01-07T23:45:00Z', '15m');
    assert.equal(path.basename(file), '20240101T00_20240107T23.json');
    const info = parseChunkFile(file)!;
    assert.deepEqual([info.series, info.aggInterval, info.window.start, info.window.end], ['http', '15m', '2024-01-01T00:00:00Z', '2024-01-07T23:45:00Z']);
    assert.equal(parseChunkFile('/raw/synthetic/AT/http@5m/20240101T00_20240107T23.json'), undefined, 'not a fetch interval');
    assert.match(refetchHint(`${file}: result.serie_0.values[3]`), /radarwatch fetch --refetch --source synthetic --countries AT --series http --from 2024-01-01 --to 2024-01-07 --agg-interval 15m --raw-dir \/raw`/);
  });
  it('names the interval in a refetch command for a series that takes one, even at 1h (models.yml may say 15m), and never for one that does not', () => {
    const o = { source: 'synthetic', country: 'AT', from: '2024-01-01', to: '2024-01-07' };
    assert.match(refetchCommand({ ...o, series: 'http', aggInterval: '1h' }), / --agg-interval 1h$/);
    assert.match(refetchCommand({ ...o, series: 'http', aggInterval: '15m' }), / --agg-interval 15m$/);
    assert.doesNotMatch(refetchCommand({ ...o, series: 'bgp_ips', aggInterval: '1h' }), /--agg-interval/);
  });
});

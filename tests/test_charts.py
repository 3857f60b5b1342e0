import hashlib

from PIL import Image

from matcher.report.charts import CJK_FONT, new_figure, save_figure, use_cjk_font


def test_chinese_labels_render_with_the_bundled_font(tmp_path):
    assert use_cjk_font() == CJK_FONT
    fig, ax = new_figure()
    ax.bar(["世界500强", "民营500强"], [3, 5])
    ax.set_title("签约项目（个）")
    a = save_figure(fig, tmp_path / "a.png")
    fig, ax = new_figure()
    ax.bar(["世界500强", "民营500强"], [3, 5])
    ax.set_title("签约项目（个）")
    b = save_figure(fig, tmp_path / "b.png")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert Image.open(a).size == (960, 540)

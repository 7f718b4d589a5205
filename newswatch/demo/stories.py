"""The demo sites' stories: new directives on digital transformation, a syndicated copy, old documents, other news.

Dates are relative to the moment the demo starts (``hours_ago``), so the directives are always "new".
Document numbers carry the current year where the story says they were just issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newswatch.demo.official import DemoDocument


@dataclass
class DemoStory:
    """One article of a demo site. ``paragraphs`` may use ``{date}`` (issue date dd/mm/yyyy) and ``{year}``."""

    site: str
    title: str
    lead: str
    paragraphs: list[str]
    section: str = "Thời sự"
    hours_ago: float = 1.0
    author: str | None = None
    syndicated_from: str | None = None  # a story id on another site this one copies
    js_only: bool = False
    story_id: str = ""
    slug: str = ""
    published: datetime | None = None
    tags: list[str] = field(default_factory=list)

    def render_text(self, when: datetime, issued: datetime | None = None) -> DemoStory:
        """A copy published at ``when``, its ``{date}``/``{year}`` filled in from ``issued`` (default: ``when``)."""
        issued = issued or when
        fill = {"date": issued.strftime("%d/%m/%Y"), "year": str(issued.year), "day": str(issued.day),
                "month": str(issued.month)}
        return DemoStory(**{**self.__dict__, "title": self.title.format(**fill), "lead": self.lead.format(**fill),
                            "paragraphs": [p.format(**fill) for p in self.paragraphs], "published": when})


DIRECTIVE_07 = [
    "Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg ngày {date} về đẩy mạnh chuyển đổi số, phát triển "
    "Chính phủ số, kinh tế số, xã hội số trong giai đoạn mới.",
    "Chỉ thị nêu rõ, thời gian qua công tác chuyển đổi số quốc gia đã đạt được nhiều kết quả quan trọng; tuy nhiên "
    "việc cung cấp dịch vụ công trực tuyến toàn trình còn hạn chế, dữ liệu chưa được kết nối, chia sẻ thông suốt.",
    "Thủ tướng yêu cầu các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân các tỉnh, thành phố trực "
    "thuộc Trung ương tập trung chỉ đạo, quyết liệt triển khai các nhiệm vụ, giải pháp trọng tâm về chuyển đổi số.",
    "Trước ngày 31/12/{year}, hoàn thành việc tái cấu trúc quy trình, cung cấp 100% thủ tục hành chính đủ điều kiện "
    "dưới hình thức dịch vụ công trực tuyến toàn trình; kết nối, chia sẻ dữ liệu với Cơ sở dữ liệu quốc gia về dân cư.",
    "Bộ Khoa học và Công nghệ chủ trì, phối hợp với Văn phòng Chính phủ theo dõi, đôn đốc, kiểm tra việc thực hiện "
    "Chỉ thị; định kỳ hằng quý tổng hợp, báo cáo Thủ tướng Chính phủ kết quả thực hiện.",
    "Chỉ thị cũng giao Bộ Công an bảo đảm an ninh, an toàn hệ thống thông tin, bảo vệ dữ liệu cá nhân trong quá "
    "trình chuyển đổi số; Bộ Tài chính bố trí kinh phí thực hiện theo quy định của pháp luật về ngân sách nhà nước.",
]

STORIES: list[DemoStory] = [
    # --- government e-newspaper (official) -----------------------------------------------------------------
    DemoStory(
        site="chinhphu", story_id="ct07", hours_ago=2.0, section="Chỉ đạo quyết định", author="Thu Giang",
        title="Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số",
        lead="Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg về đẩy mạnh chuyển đổi số, phát triển Chính "
             "phủ số, kinh tế số, xã hội số.",
        paragraphs=DIRECTIVE_07, tags=["chuyển đổi số", "Chỉ thị"]),
    DemoStory(
        site="chinhphu", story_id="nq18", hours_ago=26.0, section="Chỉ đạo quyết định", author="Minh Hiển",
        title="Nghị quyết của Chính phủ về Chương trình hành động chuyển đổi số quốc gia năm {year}",
        lead="Chính phủ ban hành Nghị quyết số 18/NQ-CP ngày {date} về Chương trình hành động thực hiện chuyển đổi số "
             "quốc gia năm {year}.",
        paragraphs=[
            "Chính phủ vừa ban hành Nghị quyết số 18/NQ-CP ngày {date} ban hành Chương trình hành động thực hiện chuyển "
            "đổi số quốc gia năm {year}, với mục tiêu đưa Việt Nam vào nhóm các nước dẫn đầu về Chính phủ số.",
            "Nghị quyết đặt mục tiêu 80% hồ sơ thủ tục hành chính được xử lý trực tuyến, 70% doanh nghiệp nhỏ và vừa "
            "sử dụng nền tảng số, kinh tế số chiếm 20% GDP vào cuối năm.",
            "Các bộ, ngành, địa phương có trách nhiệm xây dựng kế hoạch triển khai trong vòng 30 ngày kể từ ngày Nghị "
            "quyết có hiệu lực, bảo đảm nguồn lực và phân công rõ người, rõ việc, rõ thời gian, rõ kết quả.",
            "Nghị quyết giao Bộ Khoa học và Công nghệ là cơ quan thường trực, chủ trì hướng dẫn, đôn đốc và tổng hợp "
            "kết quả thực hiện, báo cáo Chính phủ tại phiên họp thường kỳ hằng quý.",
            "Nghị quyết có hiệu lực kể từ ngày ký ban hành.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="chinhphu", story_id="qd749", hours_ago=74.0, section="Thời sự", author="Hải Minh",
        title="Nhìn lại 5 năm thực hiện Chương trình Chuyển đổi số quốc gia",
        lead="Sau 5 năm thực hiện Quyết định 749/QĐ-TTg ngày 3/6/2020 của Thủ tướng Chính phủ, chuyển đổi số đã "
             "đi vào thực chất ở nhiều bộ, ngành, địa phương.",
        paragraphs=[
            "Quyết định số 749/QĐ-TTg ngày 3/6/2020 của Thủ tướng Chính phủ phê duyệt Chương trình Chuyển đổi số quốc gia "
            "đến năm 2025, định hướng đến năm 2030 đã tạo nền tảng cho các bước đi tiếp theo.",
            "Theo báo cáo tổng kết, hạ tầng số phát triển nhanh, tỷ lệ hộ gia đình có cáp quang vượt 80%, nhiều cơ sở "
            "dữ liệu quốc gia đã được đưa vào vận hành và kết nối với Cổng Dịch vụ công quốc gia.",
            "Các chuyên gia cho rằng Nghị quyết 52-NQ/TW năm 2019 của Bộ Chính trị và Quyết định 749/QĐ-TTg là hai văn "
            "bản đặt nền móng cho chuyển đổi số ở Việt Nam.",
            "Tuy vậy, việc chia sẻ dữ liệu giữa các bộ, ngành còn chậm, nhân lực số còn thiếu, nhiều dịch vụ công trực "
            "tuyến chưa thực sự thuận tiện cho người dân.",
            "Giai đoạn tới cần tập trung vào dữ liệu, coi dữ liệu là tài nguyên, là tư liệu sản xuất mới.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="chinhphu", story_id="ngoaigiao", hours_ago=30.0, section="Hoạt động lãnh đạo", author="Đức Tuân",
        title="Thủ tướng tiếp Đại sứ Nhật Bản chào từ biệt",
        lead="Chiều nay, tại Trụ sở Chính phủ, Thủ tướng Chính phủ đã tiếp Đại sứ Nhật Bản tại Việt Nam đến chào "
             "từ biệt nhân dịp kết thúc nhiệm kỳ công tác.",
        paragraphs=[
            "Thủ tướng đánh giá cao những đóng góp của Đại sứ đối với quan hệ Đối tác chiến lược toàn diện Việt Nam - "
            "Nhật Bản trong nhiệm kỳ công tác tại Việt Nam.",
            "Thủ tướng đề nghị hai bên tiếp tục thúc đẩy hợp tác trong các lĩnh vực đầu tư, thương mại, lao động, "
            "nông nghiệp và hợp tác giữa các địa phương của hai nước.",
            "Đại sứ cảm ơn sự hỗ trợ của Chính phủ Việt Nam và khẳng định sẽ tiếp tục đóng góp cho quan hệ hai nước "
            "trên cương vị mới.",
            "Hai bên cũng trao đổi về hợp tác đào tạo nguồn nhân lực chất lượng cao và các dự án hạ tầng giao thông.",
        ]),
    # --- ministry portal -------------------------------------------------------------------------------------
    DemoStory(
        site="bokhcn", story_id="cv2345", hours_ago=1.0, section="Chuyển đổi số", author="Cục Chuyển đổi số quốc gia",
        title="Bộ KH&CN đôn đốc triển khai Chỉ thị 07/CT-TTg về đẩy mạnh chuyển đổi số",
        lead="Bộ Khoa học và Công nghệ vừa có Công văn số 2345/BKHCN-CĐSQG đề nghị các bộ, ngành, địa phương khẩn "
             "trương triển khai Chỉ thị số 07/CT-TTg của Thủ tướng Chính phủ.",
        paragraphs=[
            "Ngày {date}, Bộ Khoa học và Công nghệ ban hành Công văn số 2345/BKHCN-CĐSQG gửi các bộ, cơ quan ngang bộ và "
            "Ủy ban nhân dân các tỉnh, thành phố về việc triển khai Chỉ thị số 07/CT-TTg.",
            "Theo đó, các cơ quan cần rà soát danh mục thủ tục hành chính, xây dựng lộ trình cung cấp dịch vụ công "
            "trực tuyến toàn trình và gửi kế hoạch về Bộ trước ngày 15 của tháng tới.",
            "Bộ đề nghị các địa phương ưu tiên bố trí kinh phí cho hạ tầng số, nền tảng số dùng chung và đào tạo kỹ năng "
            "số cho cán bộ, công chức, viên chức.",
            "Cục Chuyển đổi số quốc gia là đầu mối hướng dẫn nghiệp vụ, tiếp nhận phản ánh, kiến nghị trong quá trình "
            "thực hiện và tổng hợp báo cáo Thủ tướng Chính phủ.",
            "Bộ cũng sẽ tổ chức kiểm tra thực tế tại một số bộ, ngành, địa phương trong quý tới.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="bokhcn", story_id="tt12", hours_ago=5.0, section="Văn bản mới", author="Vụ Pháp chế",
        title="Thông tư hướng dẫn đánh giá mức độ chuyển đổi số của cơ quan nhà nước",
        lead="Bộ trưởng Bộ Khoa học và Công nghệ ban hành Thông tư số 12/{year}/TT-BKHCN hướng dẫn bộ chỉ số đánh giá "
             "chuyển đổi số của các bộ, ngành, địa phương.",
        paragraphs=[
            "Thông tư số 12/{year}/TT-BKHCN ngày {date} quy định bộ chỉ số đánh giá mức độ chuyển đổi số của các bộ, cơ "
            "quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân cấp tỉnh.",
            "Bộ chỉ số gồm các nhóm: nhận thức số, thể chế số, hạ tầng số, nhân lực số, an toàn thông tin mạng, hoạt "
            "động chính quyền số, kinh tế số và xã hội số.",
            "Việc đánh giá được thực hiện hằng năm; kết quả được công bố công khai trên Cổng thông tin điện tử của Bộ "
            "Khoa học và Công nghệ trước ngày 31 tháng 3 năm sau.",
            "Thông tư thay thế Thông tư số 18/2019/TT-BTTTT của Bộ Thông tin và Truyền thông và có hiệu lực sau 45 ngày kể "
            "từ ngày ký.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="bokhcn", story_id="vatlieu", hours_ago=50.0, section="Khoa học", author="Phòng Truyền thông",
        title="Hội thảo khoa học về vật liệu tiên tiến cho công nghiệp bán dẫn",
        lead="Hội thảo quy tụ hơn 200 nhà khoa học trong và ngoài nước, thảo luận về vật liệu mới phục vụ công "
             "nghiệp bán dẫn.",
        paragraphs=[
            "Hội thảo do Viện Hàn lâm Khoa học và Công nghệ Việt Nam phối hợp tổ chức, với 60 báo cáo khoa học về vật "
            "liệu bán dẫn, vật liệu nano và công nghệ đóng gói chip.",
            "Các đại biểu nhấn mạnh vai trò của hợp tác giữa viện nghiên cứu, trường đại học và doanh nghiệp trong việc "
            "thương mại hóa kết quả nghiên cứu.",
            "Nhiều nhóm nghiên cứu trẻ đã giới thiệu kết quả bước đầu về vật liệu hai chiều và cảm biến thế hệ mới.",
            "Ban tổ chức cho biết kỷ yếu hội thảo sẽ được xuất bản trong quý tới.",
        ]),
    # --- labour paper (listings with teaser boxes) ------------------------------------------------------------
    DemoStory(
        site="laodong", story_id="congdoan", hours_ago=3.0, section="Thời sự", author="Hà Anh",
        title="Công đoàn Thủ đô đẩy mạnh chuyển đổi số trong chăm lo cho đoàn viên",
        lead="Liên đoàn Lao động thành phố Hà Nội triển khai nhiều nền tảng số để đoàn viên tiếp cận phúc lợi nhanh "
             "và minh bạch hơn.",
        paragraphs=[
            "Thực hiện Chỉ thị số 07/CT-TTg của Thủ tướng Chính phủ, Liên đoàn Lao động thành phố đã đưa vào vận hành "
            "ứng dụng quản lý đoàn viên và thẻ đoàn viên điện tử.",
            "Đến nay đã có hơn 300 nghìn đoàn viên cài đặt ứng dụng, tra cứu chính sách và đăng ký nhận hỗ trợ trực "
            "tuyến mà không phải đến trụ sở công đoàn.",
            "Chủ tịch Liên đoàn Lao động thành phố cho biết, chuyển đổi số giúp giảm thủ tục giấy tờ và tăng tính "
            "minh bạch trong hoạt động chăm lo cho người lao động.",
            "Thời gian tới, công đoàn các cấp sẽ tiếp tục tập huấn kỹ năng số cho cán bộ công đoàn cơ sở.",
        ]),
    DemoStory(
        site="laodong", story_id="giavang", hours_ago=4.0, section="Thời sự", author="Minh Châu",
        title="Giá vàng trong nước tăng mạnh phiên đầu tuần",
        lead="Giá vàng miếng trong nước tăng theo đà tăng của giá vàng thế giới.",
        paragraphs=[
            "Sáng nay, giá vàng miếng được các doanh nghiệp niêm yết tăng khoảng 500 nghìn đồng mỗi lượng so với cuối "
            "tuần trước.",
            "Giá vàng nhẫn cũng tăng tương ứng, thu hút đông người dân đến các cửa hàng giao dịch.",
            "Các chuyên gia khuyến cáo người dân thận trọng khi mua vào trong bối cảnh thị trường biến động mạnh.",
            "Ngân hàng Nhà nước cho biết sẽ tiếp tục theo dõi sát diễn biến thị trường vàng.",
            "Trên thị trường quốc tế, giá vàng giao ngay tăng do đồng USD suy yếu và nhu cầu trú ẩn an toàn của nhà đầu tư tăng lên trước những biến động của kinh tế toàn cầu.",
        ]),
    DemoStory(
        site="laodong", story_id="vieclam", hours_ago=20.0, section="Thời sự", author="Thanh Hà",
        title="Hơn 5.000 vị trí việc làm tại phiên giao dịch việc làm tháng này",
        lead="Phiên giao dịch việc làm do Trung tâm Dịch vụ việc làm Hà Nội tổ chức thu hút 80 doanh nghiệp.",
        paragraphs=[
            "Các vị trí tuyển dụng tập trung ở ngành điện tử, cơ khí, dịch vụ và công nghệ thông tin.",
            "Nhiều doanh nghiệp phỏng vấn trực tuyến, người lao động có thể nộp hồ sơ qua ứng dụng điện thoại.",
            "Mức lương khởi điểm phổ biến từ 7 đến 12 triệu đồng mỗi tháng, tùy vị trí và trình độ.",
            "Trung tâm cho biết các phiên giao dịch tiếp theo sẽ được tổ chức định kỳ hằng tháng.",
            "Đại diện trung tâm cho biết, nhu cầu tuyển dụng lao động có tay nghề đang tăng mạnh, nhất là trong các ngành điện tử, logistics và công nghệ thông tin, trong khi nguồn cung chưa đáp ứng kịp.",
        ]),
    DemoStory(
        site="laodong", story_id="giaothong", hours_ago=28.0, section="Thời sự", author="Quang Huy",
        title="Hà Nội điều chỉnh tổ chức giao thông tại nhiều nút giao",
        lead="Sở Xây dựng Hà Nội thông báo điều chỉnh tổ chức giao thông để giảm ùn tắc giờ cao điểm.",
        paragraphs=[
            "Việc điều chỉnh được thực hiện tại sáu nút giao trên các tuyến vành đai, áp dụng từ đầu tuần tới.",
            "Cơ quan chức năng sẽ lắp đặt thêm biển báo, đèn tín hiệu và bố trí lực lượng hướng dẫn.",
            "Người dân được khuyến cáo theo dõi thông tin trên các phương tiện thông tin đại chúng.",
            "Sau một tháng thí điểm, thành phố sẽ đánh giá hiệu quả để quyết định áp dụng lâu dài.",
            "Theo số liệu của cơ quan chức năng, lưu lượng phương tiện qua các nút giao này vào giờ cao điểm đã tăng gần 20% so với năm trước, gây ùn tắc kéo dài vào buổi sáng và chiều tối.",
        ]),
    DemoStory(
        site="laodong", story_id="nhao", hours_ago=40.0, section="Thời sự", author="Lan Hương",
        title="Khởi công dự án nhà ở xã hội cho công nhân khu công nghiệp",
        lead="Dự án có quy mô gần 2.000 căn hộ, dự kiến hoàn thành trong hai năm.",
        paragraphs=[
            "Dự án được xây dựng gần khu công nghiệp, thuận tiện cho công nhân đi lại.",
            "Giá bán và cho thuê được tính toán phù hợp với thu nhập của người lao động.",
            "Chủ đầu tư cam kết bảo đảm chất lượng và tiến độ theo đúng quy định.",
            "Thành phố sẽ tiếp tục kêu gọi đầu tư thêm các dự án nhà ở xã hội trong năm tới.",
            "Theo Sở Xây dựng, nhu cầu nhà ở của công nhân tại các khu công nghiệp trên địa bàn hiện rất lớn, trong khi nguồn cung còn hạn chế; nhiều người lao động vẫn phải thuê phòng trọ chật hẹp, thiếu tiện ích.",
        ]),
    DemoStory(
        site="laodong", story_id="antoanld", hours_ago=60.0, section="Thời sự", author="Ngọc Mai",
        title="Tăng cường kiểm tra an toàn lao động tại công trình xây dựng",
        lead="Thanh tra lao động phát hiện nhiều vi phạm về trang bị bảo hộ tại công trình.",
        paragraphs=[
            "Đoàn kiểm tra đã làm việc tại 25 công trình xây dựng trên địa bàn thành phố.",
            "Nhiều đơn vị chưa trang bị đầy đủ dây an toàn, mũ bảo hộ cho người lao động làm việc trên cao.",
            "Các đơn vị vi phạm đã bị yêu cầu khắc phục ngay và xử phạt theo quy định.",
            "Công đoàn ngành xây dựng sẽ phối hợp tuyên truyền an toàn lao động đến từng công nhân.",
            "Theo thống kê, phần lớn các vụ tai nạn lao động nghiêm trọng trong ngành xây dựng xảy ra do ngã từ trên cao, vật rơi và điện giật, trong khi nhiều người lao động chưa được huấn luyện đầy đủ.",
        ]),
    # --- law paper (weather widget) -------------------------------------------------------------------------
    DemoStory(
        site="phapluat", story_id="nd45", hours_ago=6.0, section="Văn bản mới", author="Hương Giang",
        title="Nghị định mới quy định về định danh và xác thực điện tử",
        lead="Chính phủ ban hành Nghị định số 45/{year}/NĐ-CP quy định về định danh và xác thực điện tử, phục vụ "
             "chuyển đổi số quốc gia.",
        paragraphs=[
            "Nghị định số 45/{year}/NĐ-CP ngày {date} quy định về tài khoản định danh điện tử, hệ thống định danh và xác "
            "thực điện tử đối với công dân Việt Nam, người nước ngoài và tổ chức.",
            "Theo Nghị định, tài khoản định danh điện tử mức độ 2 có giá trị tương đương việc xuất trình căn cước khi "
            "thực hiện thủ tục hành chính và giao dịch điện tử.",
            "Nghị định được xây dựng trên cơ sở Luật Giao dịch điện tử năm 2023 và Luật Căn cước năm 2023, thay thế "
            "Nghị định số 59/2022/NĐ-CP.",
            "Nghị định có hiệu lực thi hành từ ngày 1 của tháng thứ hai kể từ ngày ký ban hành.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="phapluat", story_id="luadao", hours_ago=9.0, section="Pháp đình", author="Trọng Nghĩa",
        title="Xét xử nhóm đối tượng lừa đảo chiếm đoạt tài sản qua mạng",
        lead="Tòa án nhân dân thành phố đưa ra xét xử 12 bị cáo trong đường dây lừa đảo trực tuyến.",
        paragraphs=[
            "Theo cáo trạng, các bị cáo giả danh nhân viên ngân hàng, gọi điện đề nghị bị hại cung cấp mã xác thực.",
            "Tổng số tiền chiếm đoạt lên tới hơn 40 tỷ đồng của hàng trăm bị hại ở nhiều địa phương.",
            "Hội đồng xét xử tuyên phạt các bị cáo từ 3 đến 18 năm tù về tội lừa đảo chiếm đoạt tài sản.",
            "Cơ quan công an khuyến cáo người dân không cung cấp mã OTP cho bất kỳ ai.",
        ]),
    DemoStory(
        site="phapluat", story_id="luatdat", hours_ago=80.0, section="Bạn đọc", author="Luật sư Minh Tâm",
        title="Hỏi đáp: Thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất",
        lead="Bạn đọc hỏi về hồ sơ, thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất theo quy định mới.",
        paragraphs=[
            "Theo Luật Đất đai năm 2024 và Nghị định số 101/2024/NĐ-CP, người sử dụng đất nộp hồ sơ tại bộ phận một cửa.",
            "Hồ sơ gồm đơn đề nghị cấp đổi và bản gốc giấy chứng nhận đã cấp.",
            "Thời gian giải quyết không quá 7 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
            "Người dân có thể nộp hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia.",
        ]),
    # --- provincial TV (republishes the government's story) ------------------------------------------------
    DemoStory(
        site="truyenhinh", story_id="ct07-copy", hours_ago=1.5, section="Thời sự", syndicated_from="ct07",
        title="Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số",
        lead="Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg về đẩy mạnh chuyển đổi số, phát triển Chính "
             "phủ số, kinh tế số, xã hội số.",
        paragraphs=[*DIRECTIVE_07, "(Nguồn: Cổng thông tin điện tử Chính phủ)"]),
    DemoStory(
        site="truyenhinh", story_id="mualon", hours_ago=7.0, section="Xã hội", author="Văn Lực",
        title="Thanh Hóa: Mưa lớn gây ngập cục bộ nhiều tuyến phố",
        lead="Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến phố tại thành phố Thanh Hóa bị ngập cục bộ.",
        paragraphs=[
            "Lượng mưa đo được tại trạm Thanh Hóa lên tới hơn 150 mm, gây ngập sâu tại một số khu dân cư.",
            "Lực lượng chức năng đã bố trí người hướng dẫn giao thông, hỗ trợ người dân di chuyển tài sản.",
            "Đài Khí tượng thủy văn tỉnh dự báo mưa còn kéo dài trong hai ngày tới.",
            "Ủy ban nhân dân tỉnh yêu cầu các địa phương chủ động phương án phòng chống lũ, sạt lở đất.",
        ]),
    # --- provincial portal whose articles need JavaScript -----------------------------------------------------
    DemoStory(
        site="congtinh", story_id="kh215", hours_ago=0.5, section="Chỉ đạo điều hành", js_only=True,
        title="UBND tỉnh ban hành Kế hoạch triển khai Chỉ thị 07/CT-TTg về chuyển đổi số",
        lead="Ủy ban nhân dân tỉnh ban hành Kế hoạch số 215/KH-UBND triển khai Chỉ thị số 07/CT-TTg của Thủ tướng "
             "Chính phủ về đẩy mạnh chuyển đổi số.",
        paragraphs=[
            "Ngày {date}, Ủy ban nhân dân tỉnh ban hành Kế hoạch số 215/KH-UBND triển khai thực hiện Chỉ thị số 07/CT-TTg "
            "của Thủ tướng Chính phủ về đẩy mạnh chuyển đổi số.",
            "Kế hoạch đặt mục tiêu đến cuối năm, 100% hồ sơ công việc tại cấp tỉnh, 90% tại cấp xã được xử lý trên môi "
            "trường mạng, trừ hồ sơ công việc thuộc phạm vi bí mật nhà nước.",
            "Sở Khoa học và Công nghệ là cơ quan thường trực, hướng dẫn các sở, ngành, địa phương triển khai và tổng hợp "
            "kết quả báo cáo Ủy ban nhân dân tỉnh.",
            "Kế hoạch cũng yêu cầu đẩy mạnh thanh toán không dùng tiền mặt trong dịch vụ công và phát triển kinh tế số.",
        ], tags=["chuyển đổi số"]),
    DemoStory(
        site="congtinh", story_id="dulich", hours_ago=12.0, section="Văn hóa - Du lịch", js_only=True,
        title="Tỉnh đón hơn một triệu lượt khách du lịch trong tháng",
        lead="Lượng khách du lịch đến tỉnh tăng mạnh nhờ nhiều sự kiện văn hóa, thể thao được tổ chức.",
        paragraphs=[
            "Doanh thu từ du lịch ước đạt hơn 2.000 tỷ đồng, tăng 15% so với cùng kỳ năm trước.",
            "Nhiều điểm đến mới được đưa vào khai thác, thu hút đông đảo du khách trong và ngoài nước.",
            "Ngành du lịch tỉnh đang đẩy mạnh quảng bá trên các nền tảng số và mạng xã hội.",
            "Tỉnh cũng chú trọng nâng cao chất lượng dịch vụ lưu trú và ẩm thực địa phương.",
        ]),
]


def _merge_short(paragraphs: list[str], minimum: int = 160) -> list[str]:
    """Join short paragraphs into news-length ones (real articles rarely have one-line paragraphs)."""
    out: list[str] = []
    for text in paragraphs:
        if out and (len(out[-1]) < minimum) and not text.startswith("(Nguồn"):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


for _story in STORIES:
    _story.paragraphs = _merge_short(_story.paragraphs)


def official_documents(now: datetime) -> list[DemoDocument]:
    """The documents on the demo's official listing (vanban.chinhphu.vn style), dated like the stories reporting them.

    07/CT-TTg and 18/NQ-CP are reported by the government e-newspaper, 12/…/TT-BKHCN by the ministry;
    45/…/NĐ-CP (reported by the law paper) is not on the listing yet, so the register shows it as
    reported by the press only.
    """
    from datetime import timedelta

    def day(hours_ago: float) -> datetime:
        return now - timedelta(hours=hours_ago)

    ct07, nq18, tt12 = day(2.0), day(26.0), day(5.0)
    directive = [p.format(date=ct07.strftime("%d/%m/%Y"), year=ct07.year) for p in DIRECTIVE_07]
    return [
        DemoDocument("07/CT-TTg", ct07.strftime("%d/%m/%Y"),
                     "Về đẩy mạnh chuyển đổi số, phát triển Chính phủ số, kinh tế số, xã hội số trong giai đoạn mới",
                     doc_type="Chỉ thị", issuer="Thủ tướng Chính phủ", signer="Nguyễn Văn An",
                     page="/?pageid=27160&docid=218701", files=[f"/files/vbpq/{ct07:%Y/%m}/07-ct-ttg.signed.pdf",
                                                                    f"/files/vbpq/{ct07:%Y/%m}/07-ct-ttg.docx"],
                     body=directive),
        DemoDocument(f"12/{tt12.year}/TT-BKHCN", tt12.strftime("%d/%m/%Y"),
                     "Hướng dẫn bộ chỉ số đánh giá mức độ chuyển đổi số của cơ quan nhà nước", doc_type="Thông tư",
                     issuer="Bộ Khoa học và Công nghệ", signer="Trần Minh Khoa",
                     files=[f"/files/vbpq/{tt12:%Y/%m}/12-tt-bkhcn.pdf"],
                     body=["Thông tư quy định bộ chỉ số đánh giá mức độ chuyển đổi số của các bộ, ngành, địa phương."]),
        DemoDocument("18/NQ-CP", nq18.strftime("%d/%m/%Y"),
                     f"Ban hành Chương trình hành động thực hiện chuyển đổi số quốc gia năm {nq18.year}",
                     doc_type="Nghị quyết", issuer="Chính phủ", signer="Nguyễn Văn An",
                     page="/?pageid=27160&docid=218655", files=[f"/files/vbpq/{nq18:%Y/%m}/18-nq-cp.signed.pdf"],
                     body=["Chính phủ ban hành Chương trình hành động thực hiện chuyển đổi số quốc gia."]),
    ]
